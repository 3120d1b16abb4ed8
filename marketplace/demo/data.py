"""The demo world: organizations, people and tasks of the kinds the Chongqing 四众 plan names.

Every name marked （演示） or ending in .demo is fictitious. Amounts are in fen.
"""

from __future__ import annotations

DEMO_PASSWORD = "zhongbao-demo-2026"  # noqa: S105 (printed for the local demo on purpose)

# email, display name, language, staff
PEOPLE = [
    ("admin@zhongbao.demo", "平台管理员", "zh-hans", True),
    ("chen.wei@yuxin-auto.demo", "陈伟", "zh-hans", False),
    ("liu.yang@shancheng-home.demo", "刘洋", "zh-hans", False),
    ("zhao.min@yubei-kj.demo", "赵敏", "zh-hans", False),
    ("li.ming@provider.demo", "李明", "zh-hans", False),
    ("wang.fang@provider.demo", "王芳", "zh-hans", False),
    ("emma.clarke@provider.demo", "Emma Clarke", "en", False),
    ("zhou.jie@yujian-lab.demo", "周杰", "zh-hans", False),
    ("qian.hui@zhongbao.demo", "钱慧", "zh-hans", False),
    ("zheng.hao@zhongbao.demo", "郑浩", "zh-hans", False),
    ("sun.li@yunjiang.demo", "孙丽", "zh-hans", False),
    ("he.jun@provider.demo", "何军", "zh-hans", False),
    ("wu.min@zhongbao.demo", "吴敏", "zh-hans", False),
]

# Platform moderators (the "moderator" group: task moderation, real-name verification with the
# evidence, the red/black list; not superusers).
MODERATOR_STAFF = ["zheng.hao@zhongbao.demo"]

# An enterprise whose verification waits for a moderator, with its business licence uploaded.
PENDING_ORGANIZATION = (
    "sun.li@yunjiang.demo",
    "云江精密制造有限公司（演示）",
    "enterprise",
    "500112",
    "精密零部件加工与检测，正在申请企业认证。We machine and inspect precision parts.",
    "91500112MA5YJ2K8X",
)

# The credit red/black list (诚信红黑榜): who, list, reason, evidence, days from now it expires.
BLACK_LISTED_PROVIDER = (
    "he.jun@provider.demo",
    "结构仿真与有限元分析（演示）",
    "我做结构强度仿真和有限元分析。I do structural simulation and FEA.",
)
CREDIT_LIST = [
    (
        "user:he.jun@provider.demo",
        "black",
        "连续两次中标后未按约定启动工作，且未回应需求方联系（演示）。",
        "合同沟通记录与平台通知记录（演示）：需求方三次催告均未获回复。",
        180,
    ),
    (
        "org:yujian",
        "red",
        "全部里程碑按期交付，需求方评价优秀（演示）。",
        "已完成合同的验收记录与评价（演示）。",
        365,
    ),
]
# The black-listed provider's appeal, waiting for a moderator.
CREDIT_APPEAL = (
    "he.jun@provider.demo",
    "第二个项目开工前我因病住院，已向需求方说明并提供了病历，请求复核。I was in hospital; "
    "the poster was told and has the records.",
)

# What each person came to do (the sign-up role; staff keep "both").
ROLES = {
    "chen.wei@yuxin-auto.demo": "poster",
    "liu.yang@shancheng-home.demo": "poster",
    "zhao.min@yubei-kj.demo": "poster",
    "li.ming@provider.demo": "provider",
    "wang.fang@provider.demo": "provider",
    "emma.clarke@provider.demo": "provider",
    "zhou.jie@yujian-lab.demo": "provider",
    "sun.li@yunjiang.demo": "poster",
    "he.jun@provider.demo": "provider",
}

# Platform finance staff (the "finance" group: voucher programmes and issuing, not superusers).
FINANCE_STAFF = ["qian.hui@zhongbao.demo"]
# Platform mediators (the "mediator" group: they read the evidence and decide disputes).
MEDIATOR_STAFF = ["wu.min@zhongbao.demo"]

# Disputes on the NVH contract (Emma Clarke for 渝新汽车): milestone, who opens (provider or
# poster), reason, statement, response, and the mediator's split in fen (None: still gathering
# evidence).
DISPUTES = [
    (
        1,
        "provider",
        "not_reviewed",
        "The root-cause report was delivered on time with the ODS and TPA results. The poster "
        "asks for new vehicle measurements that the contract does not include, and will not "
        "accept the report. I ask for the full payment of this milestone.",
        "报告未包含合同约定的 30% 负载工况下的实车复测数据，根因结论缺少验证。我们要求退还部分款项。",
        (19_200_00, 28_800_00),
        "报告已按期交付且分析方法符合合同；但 30% 负载工况复测数据确属合同约定而缺失。"
        "按六成支付服务商、四成退还需求方。",
    ),
    (
        2,
        "poster",
        "late",
        "对策验证已超过约定期限两周仍未交付，服务商未说明原因，请求调解并退还本阶段款项。",
        "The test vehicle was only made available three weeks after the agreed date; the delay "
        "is the poster's. Emails with the dates are attached as evidence.",
        None,
        "",
    ),
]

# The district's innovation voucher programme (创新券): issuer key, name, budget fen, face value
# fen, largest share of a funding (basis points), eligible task kinds; and who holds vouchers.
VOUCHER_PROGRAMME = (
    "yubei",
    "渝北区科技创新券（2026 年度，演示）",
    2_000_000_00,
    50_000_00,
    5_000,
    ["rd_solution", "product_design", "research_problem", "engineering"],
)
VOUCHER_HOLDERS = ["shancheng", "yuxin"]

# key, owner email, name, kind, region, description
ORGANIZATIONS = [
    (
        "yuxin",
        "chen.wei@yuxin-auto.demo",
        "渝新汽车集团研究院（演示）",
        "enterprise",
        "500112",
        "渝新汽车集团的研发中心，负责新能源整车、动力总成与智能驾驶的前瞻研究。"
        "We post R&D challenges in batteries, powertrain and machine vision.",
    ),
    (
        "shancheng",
        "liu.yang@shancheng-home.demo",
        "山城智能家电有限公司（演示）",
        "enterprise",
        "500107",
        "面向国内外市场的智能小家电制造商，产品出口欧盟与东南亚。",
    ),
    (
        "yubei",
        "zhao.min@yubei-kj.demo",
        "重庆市渝北区科技局（演示）",
        "government",
        "500112",
        "负责全区科技创新、创新券发放与政府购买服务项目的组织实施。",
    ),
    (
        "yujian",
        "zhou.jie@yujian-lab.demo",
        "渝检检测技术工作室（演示）",
        "microfirm",
        "500106",
        "CNAS 体系下的小微检测团队：电磁兼容、可靠性试验与出口认证咨询。",
    ),
]

# (owner key: email or "org:<key>"), headline, bio, day rate fen, region, years, skills {slug: level}
PROVIDERS = [
    (
        "li.ming@provider.demo",
        "机器视觉与嵌入式算法工程师",
        "十年工业视觉经验，做过焊缝检测、零件尺寸测量和电池极片缺陷检测，熟悉 Halcon、OpenCV 与 "
        "NVIDIA Jetson 部署。",
        2_500_00,
        "500106",
        10,
        {
            "machine-vision": 4,
            "computer-vision-ai": 4,
            "embedded-development": 3,
            "battery-management": 2,
        },
    ),
    (
        "wang.fang@provider.demo",
        "工业设计师 · 小家电与消费电子",
        "独立工业设计师，红点奖获得者。负责外观、CMF 与结构可行性，交付 Rhino/KeyShot 模型与手板。",
        1_800_00,
        "500103",
        8,
        {
            "industrial-design": 4,
            "product-structure-design": 3,
            "3d-modelling": 4,
            "ui-ux-design": 2,
        },
    ),
    (
        "emma.clarke@provider.demo",
        "Powertrain NVH and calibration consultant",
        "Former OEM powertrain engineer based in Chongqing. NVH root-cause analysis, hybrid "
        "calibration and test planning; reports in English and Chinese.",
        4_000_00,
        "500105",
        15,
        {"nvh": 4, "powertrain-calibration": 4, "reliability-testing": 2},
    ),
    (
        "org:yujian",
        "EMC 测试、可靠性试验与 CE/3C 认证",
        "拥有 3 米法电波暗室合作资源，提供预测试、整改建议与正式认证全流程服务。",
        3_000_00,
        "500106",
        6,
        {
            "emc-testing": 4,
            "ce-certification": 4,
            "ccc-certification": 3,
            "testing-certification": 4,
        },
    ),
]

# key, org key, author, kind, title, summary, description, budget (min, max) fen, bid days,
# delivery days, region, visibility, ip terms, nda, skills {slug: weight}, milestones [(title, bps, days)]
TASKS = [
    (
        "battery",
        "yuxin",
        "chen.wei@yuxin-auto.demo",
        "rd_solution",
        "新能源汽车电池包热失控早期预警算法研发",
        "基于 BMS 实车数据，研发可量产的电池包热失控早期预警算法，要求提前 5 分钟以上预警、误报率低于万分之一。",
        "## 背景\n我院量产车型的电池包已积累 3 万车·年的 BMS 数据（电压、温度、绝缘、气压）。\n\n"
        "## 目标\n1. 热失控提前预警时间 ≥ 5 分钟；\n2. 误报率 ≤ 0.01%；\n3. 算法可部署于现有 BMS 主控（Cortex-M7, 512 KB RAM）。\n\n"
        "## 交付\n算法说明书、C 代码、台架与实车验证报告。",
        (200_000_00, 350_000_00),
        21,
        150,
        "500112",
        "verified",
        "transfer",
        True,
        {"battery-management": 5, "machine-learning": 4, "embedded-development": 3},
        [
            ("算法方案与数据分析报告", 3000, 30),
            ("算法实现与台架验证", 4000, 90),
            ("实车验证与量产交付", 3000, 140),
        ],
    ),
    (
        "weld",
        "yuxin",
        "chen.wei@yuxin-auto.demo",
        "engineering",
        "Machine-vision inspection of weld seams on the body-in-white line",
        "Design and commission an inline machine-vision station that finds spatter, porosity and "
        "missing welds on 12 seams at a 60-second takt.",
        "## Scope\n- 12 MIG weld seams on the rear floor assembly, 60 s takt.\n"
        "- Detect spatter, porosity, undercut and missing welds; log images to MES.\n\n"
        "## Deliverables\nStation design, software, commissioning on line 3, and an MSA study "
        "(gauge R&R below 10%).",
        (80_000_00, 150_000_00),
        14,
        90,
        "500112",
        "public",
        "transfer",
        False,
        {"machine-vision": 5, "industrial-robotics": 3, "mes": 2},
        [
            ("Station design review", 2500, 20),
            ("Software and bench test", 4500, 60),
            ("Line commissioning and MSA", 3000, 85),
        ],
    ),
    (
        "purifier",
        "shancheng",
        "liu.yang@shancheng-home.demo",
        "product_design",
        "智能空气净化器外观与结构设计",
        "为出口欧洲的中端智能空气净化器做外观、CMF 与结构设计，目标零售价 199 欧元。",
        "需求：桌面/落地两用，CADR ≥ 400 m³/h，滤网免工具更换，适配现有风道与电机。\n\n"
        "交付：3 套概念方案 → 1 套深化方案（含 CMF）→ 结构设计与手板验证。",
        (60_000_00, 90_000_00),
        10,
        75,
        "500107",
        "public",
        "transfer",
        False,
        {"industrial-design": 5, "product-structure-design": 4, "3d-modelling": 3},
        [("概念设计", 3000, 15), ("深化设计与 CMF", 3000, 35), ("结构设计与手板", 4000, 70)],
    ),
    (
        "ce",
        "shancheng",
        "liu.yang@shancheng-home.demo",
        "engineering",
        "出口欧盟产品 CE 认证与 EMC 检测",
        "两款智能小家电出口欧盟前的 EMC 预测试、整改建议与 CE 认证全流程服务。",
        "产品：空气净化器、加湿器各一款，含 Wi-Fi 模块（RED 指令）。\n\n"
        "范围：EN 55014-1/-2、EN 61000-3-2/-3-3、EN 300 328 预测试与正式测试，技术文件编制，DoC 签署支持。",
        (30_000_00, 60_000_00),
        7,
        60,
        "500107",
        "public",
        "license",
        False,
        {"ce-certification": 5, "emc-testing": 5, "testing-certification": 3},
        [("预测试与整改建议", 4000, 20), ("正式测试与技术文件", 6000, 50)],
    ),
    (
        "eldercare",
        "yubei",
        "zhao.min@yubei-kj.demo",
        "public_service",
        "社区居家养老服务数字化平台运营（政府购买服务）",
        "渝北区政府购买服务项目：为 12 个街道的社区居家养老服务中心提供数字化平台一年期运营与数据服务。",
        "依据《政府购买服务管理办法》，采购一年期运营服务：\n\n"
        "- 老人档案与服务工单管理（小程序 + 后台）；\n- 助餐、助浴、助医等服务的派单与回访；\n"
        "- 月度服务数据报告，满足民政部门考核口径。\n\n投标人须为实名认证的服务商。",
        (400_000_00, 600_000_00),
        20,
        365,
        "500112",
        "verified",
        "custom",
        False,
        {"elderly-care-services": 5, "mini-programs": 4, "community-services": 3, "big-data": 2},
        [("平台部署与试运营", 2000, 60), ("上半年运营", 4000, 180), ("全年运营与验收", 4000, 360)],
    ),
    (
        "nvh",
        "yuxin",
        "chen.wei@yuxin-auto.demo",
        "research_problem",
        "Research problem: booming noise of a 1.5T hybrid powertrain at 1,800 rpm",
        "Find the root cause of a cabin booming noise at 1,800 rpm in EV-to-hybrid mode "
        "transitions and propose countermeasures validated on a test vehicle.",
        "Measured: 8 dB(A) peak at the driver's ear, 2nd engine order, only during mode transitions "
        "under 30% load. Transfer path analysis data and a test vehicle are available.",
        (50_000_00, 120_000_00),
        12,
        60,
        "500112",
        "public",
        "transfer",
        False,
        {"nvh": 5, "powertrain-calibration": 4},
        [("Root-cause report", 5000, 25), ("Validated countermeasures", 5000, 55)],
    ),
    (
        "policy",
        "yubei",
        "zhao.min@yubei-kj.demo",
        "consulting",
        "Policy research: how SMEs in Yubei use innovation vouchers",
        "A study of 创新券 use by small and medium enterprises in Yubei since 2023, with "
        "recommendations for the next voucher programme.",
        "Interview 40 SMEs and 10 service providers; analyse voucher redemption data; deliver a "
        "report in Chinese with an English executive summary.",
        (15_000_00, 30_000_00),
        15,
        60,
        "500112",
        "public",
        "license",
        False,
        {"policy-research": 5, "market-research": 3},
        [("Survey design and interviews", 5000, 30), ("Final report", 5000, 55)],
    ),
    (
        "parking",
        "yubei",
        "zhao.min@yubei-kj.demo",
        "public_service",
        "空港工业园区智慧停车诱导系统建设（演示）",
        "为空港工业园区 12 个停车场建设车位检测与诱导屏系统，接入区级停车平台。",
        "## 范围\n1. 12 个停车场约 3,400 个车位的车位检测；\n2. 园区主干道 8 块诱导屏；\n"
        "3. 与渝北区停车平台的数据接口。\n\n## 交付\n设计方案、设备清单、联调报告与一年运维。",
        (80_000_00, 120_000_00),
        20,
        120,
        "500112",
        "public",
        "transfer",
        False,
        {"smart-city": 5, "e-government": 3},
        [("Design and equipment list", 4000, 30), ("Installation and integration", 6000, 110)],
    ),
]
# Tasks the seed submits and leaves waiting for a moderator (a government unit's task).
TASKS_LEFT_IN_REVIEW = {"parking"}
# Reports waiting for a moderator: reporter, kind, (task key, question text or None), reason,
# details.
REPORTS = [
    (
        "chen.wei@yuxin-auto.demo",
        "question",
        ("nvh", "能否提供整车的振动测试原始数据（采样率和通道数）？"),
        "other",
        "这个提问在公开区索要我方保密的整车原始数据，请核实后隐藏。",
    ),
]

# Reports of a negotiation message, waiting for a moderator to hide it: reporter, task key,
# the message's text, reason, details.
MESSAGE_REPORTS = [
    (
        "emma.clarke@provider.demo",
        "nvh",
        "再拖延就别想拿到一分钱，你们这种外包都是骗子。",
        "abuse",
        "Insulting, and a threat not to pay. Please hide it.",
    ),
]

# task key, provider owner, amount fen, days, proposal, milestones [(title, amount fen, days)]
BIDS = [
    (
        "weld",
        "li.ming@provider.demo",
        118_000_00,
        80,
        "我做过两条白车身焊装线的视觉检测站，方案采用 4 台 500 万像素线阵相机 + 结构光，"
        "缺陷检出率实测 99.6%。可复用已有的缺陷样本库缩短调试周期。",
        [
            ("工位设计评审", 30_000_00, 20),
            ("软件与台架测试", 53_000_00, 55),
            ("产线调试与 MSA", 35_000_00, 80),
        ],
    ),
    (
        "purifier",
        "wang.fang@provider.demo",
        82_000_00,
        70,
        "我为两家出口欧洲的品牌做过净化器与加湿器，熟悉欧洲市场的 CMF 偏好和跌落、阻燃要求。"
        "概念阶段会给出 3 套差异化方案并附用户研究依据。",
        [
            ("概念设计", 24_000_00, 15),
            ("深化设计与 CMF", 24_000_00, 35),
            ("结构设计与手板", 34_000_00, 70),
        ],
    ),
    (
        "ce",
        "org:yujian",
        45_000_00,
        50,
        "我们与 CNAS 认可实验室合作，可先做 EMC 预测试并给出整改建议，再做正式测试；"
        "RED 指令的无线部分由合作实验室出具报告，技术文件由我们编制。",
        [("预测试与整改建议", 18_000_00, 20), ("正式测试与技术文件", 27_000_00, 50)],
    ),
    (
        "nvh",
        "emma.clarke@provider.demo",
        96_000_00,
        50,
        "I solved a similar 2nd-order boom on a P2 hybrid by re-tuning the clutch slip strategy "
        "and the engine mount rates. I would start with operational deflection shapes and a "
        "transfer path analysis on your data, then validate countermeasures on the vehicle.",
        [("Root-cause report", 48_000_00, 25), ("Validated countermeasures", 48_000_00, 50)],
    ),
    (
        "weld",
        "org:yujian",
        86_000_00,
        85,
        "我们可提供焊缝视觉检测方案并负责 MSA 研究：检测工位由合作的自动化集成商搭建，"
        "我们负责光学选型、缺陷样本标注、算法验证与量具重复性和再现性研究。",
        [
            ("工位设计", 20_000_00, 20),
            ("软件与台架", 36_000_00, 60),
            ("产线调试与 MSA", 30_000_00, 85),
        ],
    ),
]


# Portfolio entries (案例): owner key, title, description, year, client, skills, images (by name
# of a drawing in marketplace.demo.pictures), whether a PDF report is attached.
PORTFOLIO = [
    (
        "li.ming@provider.demo",
        "车身焊缝在线视觉检测系统",
        "为某合资车企焊装车间开发的焊缝缺陷在线检测：6 台工业相机、深度学习分割模型部署在 "
        "Jetson 上，节拍 4 秒，漏检率低于 0.3%，上线后返修工时下降 40%。",
        2024,
        "某合资汽车厂焊装车间",
        ["machine-vision", "computer-vision-ai", "embedded-development"],
        ["weld-0", "weld-1"],
        True,
    ),
    (
        "li.ming@provider.demo",
        "电池极片缺陷检测 · Electrode coating inspection",
        "Line-scan inspection of coated electrodes at 60 m/min: pinholes, scratches and edge "
        "defects classified in real time, with a report per roll.",
        2022,
        "",
        ["machine-vision", "battery-management"],
        ["weld-2"],
        False,
    ),
    (
        "wang.fang@provider.demo",
        "桌面空气净化器外观与 CMF 设计",
        "从用户研究到外观、CMF 与结构可行性评审，交付 KeyShot 渲染、手板与量产图纸；产品获 2023 "
        "红点设计奖。",
        2023,
        "山城智能家电",
        ["industrial-design", "3d-modelling"],
        ["product-teal", "product-coral"],
        False,
    ),
    (
        "org:yujian",
        "出口欧盟小家电 EMC 预测试与整改",
        "在 3 米法暗室完成辐射与传导预测试，定位开关电源噪声源并给出滤波与布线整改，一次通过 CE "
        "认证。",
        2024,
        "",
        ["emc-testing", "ce-certification"],
        ["emc"],
        True,
    ),
]

# Pictures: people's avatars (email, colour) and organizations' logos (key, colour).
AVATARS = [
    ("li.ming@provider.demo", (43, 108, 176)),
    ("wang.fang@provider.demo", (214, 158, 46)),
]
LOGOS = [("yuxin", (197, 48, 48)), ("yujian", (49, 130, 206))]

# Favourites: (user email, "task:<key>" or "provider:<owner key>").
FAVOURITES = [
    ("chen.wei@yuxin-auto.demo", "provider:li.ming@provider.demo"),
    ("chen.wei@yuxin-auto.demo", "provider:org:yujian"),
    ("li.ming@provider.demo", "task:battery"),
]

# Questions on open tasks: (task key, asker, question, answerer, answer or "" to leave open).
QUESTIONS = [
    (
        "weld",
        "emma.clarke@provider.demo",
        "焊缝检测的节拍要求是每台车多少秒？是否允许在线复判？",
        "chen.wei@yuxin-auto.demo",
        "每台车 52 秒，允许人工在线复判，但复判率需低于 2%。",
    ),
    (
        "nvh",
        "li.ming@provider.demo",
        "能否提供整车的振动测试原始数据（采样率和通道数）？",
        "",
        "",
    ),
]
# Clarifications the poster publishes: (task key, author, text).
CLARIFICATIONS = [
    (
        "weld",
        "chen.wei@yuxin-auto.demo",
        "补充说明：试验线可在每周六全天开放调试，需提前两天预约。",
    ),
]
# Negotiations: task key, provider owner, poster member, the messages, then offers in turn
# (poster first) as (amount fen, days, [(title, amount fen, due days)]), and whether the poster
# accepts the last one. The weld one ends in an accepted counter-offer, so the award uses its
# terms and the contract records it; the NVH one is still open, with an offer to answer.
NEGOTIATIONS = [
    (
        "weld",
        "li.ming@provider.demo",
        "chen.wei@yuxin-auto.demo",
        [
            ("chen.wei@yuxin-auto.demo", "李工您好，方案很扎实。报价能否控制在 11 万以内？"),
            ("li.ming@provider.demo", "可以调整，但产线调试与 MSA 需要至少 75 天。"),
        ],
        (
            108_000_00,
            75,
            [
                ("工位设计评审", 28_000_00, 20),
                ("软件与台架测试", 48_000_00, 50),
                ("产线调试与 MSA", 32_000_00, 75),
            ],
        ),
        (
            112_000_00,
            78,
            [
                ("工位设计评审", 28_000_00, 20),
                ("软件与台架测试", 50_000_00, 52),
                ("产线调试与 MSA", 34_000_00, 78),
            ],
        ),
        True,
    ),
    (
        "nvh",
        "emma.clarke@provider.demo",
        "chen.wei@yuxin-auto.demo",
        [
            ("chen.wei@yuxin-auto.demo", "Hello Emma, could the root-cause report come sooner?"),
            ("emma.clarke@provider.demo", "Yes, if your test team can give me two vehicle days."),
            ("chen.wei@yuxin-auto.demo", "再拖延就别想拿到一分钱，你们这种外包都是骗子。"),
        ],
        (
            90_000_00,
            45,
            [("Root-cause report", 40_000_00, 18), ("Validated countermeasures", 50_000_00, 45)],
        ),
        None,
        False,
    ),
]
