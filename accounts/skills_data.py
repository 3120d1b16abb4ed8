"""The skills taxonomy: R&D and service skills named in Chinese and English.

Loaded by a data migration and by `manage.py load_skills` (idempotent: matched by slug).
Categories follow the industries the Chongqing 四众 plan names for crowdsourced R&D.
"""

# (slug, Chinese name, English label)
CATEGORIES: list[tuple[str, str, str]] = [
    ("intelligent-manufacturing", "智能制造", "Intelligent manufacturing"),
    ("automotive", "汽车与新能源汽车", "Automotive and new-energy vehicles"),
    ("electronics", "电子信息", "Electronics and information"),
    ("software", "软件与数据", "Software and data"),
    ("design", "设计", "Design"),
    ("testing", "检验检测与认证", "Testing and certification"),
    ("materials", "新材料与化工", "New materials and chemicals"),
    ("biomedicine", "生物医药", "Biomedicine"),
    ("energy", "节能环保", "Energy and environment"),
    ("consulting", "咨询与知识产权", "Consulting and intellectual property"),
    ("public-service", "公共服务", "Public services"),
]

# (slug, category slug, Chinese name, English label)
SKILLS: list[tuple[str, str, str, str]] = [
    # 智能制造
    ("machine-vision", "intelligent-manufacturing", "机器视觉", "Machine vision"),
    ("industrial-robotics", "intelligent-manufacturing", "工业机器人", "Industrial robotics"),
    ("plc-programming", "intelligent-manufacturing", "PLC编程", "PLC programming"),
    ("industrial-iot", "intelligent-manufacturing", "工业互联网", "Industrial IoT"),
    ("digital-twin", "intelligent-manufacturing", "数字孪生", "Digital twin"),
    ("mes", "intelligent-manufacturing", "制造执行系统", "Manufacturing execution systems"),
    ("cnc-machining", "intelligent-manufacturing", "数控加工", "CNC machining"),
    ("mould-design", "intelligent-manufacturing", "模具设计", "Mould design"),
    ("mechanical-design", "intelligent-manufacturing", "机械设计", "Mechanical design"),
    ("process-optimisation", "intelligent-manufacturing", "工艺优化", "Process optimisation"),
    # 汽车
    ("powertrain-calibration", "automotive", "动力总成标定", "Powertrain calibration"),
    ("battery-management", "automotive", "电池管理系统", "Battery management systems"),
    ("motor-control", "automotive", "电机控制", "Motor control"),
    ("adas", "automotive", "高级驾驶辅助系统", "Advanced driver assistance (ADAS)"),
    ("vehicle-lightweighting", "automotive", "汽车轻量化", "Vehicle lightweighting"),
    ("nvh", "automotive", "振动噪声分析", "NVH analysis"),
    ("autosar", "automotive", "AUTOSAR软件", "AUTOSAR software"),
    ("motorcycle-engineering", "automotive", "摩托车研发", "Motorcycle engineering"),
    # 电子信息
    ("embedded-development", "electronics", "嵌入式开发", "Embedded development"),
    ("pcb-design", "electronics", "PCB设计", "PCB design"),
    ("fpga", "electronics", "FPGA开发", "FPGA development"),
    ("ic-design", "electronics", "集成电路设计", "Integrated circuit design"),
    ("rf-engineering", "electronics", "射频工程", "RF engineering"),
    ("power-electronics", "electronics", "电力电子", "Power electronics"),
    ("sensor-systems", "electronics", "传感器技术", "Sensor systems"),
    ("optoelectronics", "electronics", "光电技术", "Optoelectronics"),
    # 软件与数据
    ("machine-learning", "software", "机器学习", "Machine learning"),
    ("computer-vision-ai", "software", "计算机视觉算法", "Computer vision algorithms"),
    ("natural-language-processing", "software", "自然语言处理", "Natural language processing"),
    ("big-data", "software", "大数据分析", "Big data analytics"),
    ("web-development", "software", "Web开发", "Web development"),
    ("mobile-apps", "software", "移动应用开发", "Mobile app development"),
    ("cloud-devops", "software", "云计算与运维", "Cloud and DevOps"),
    ("cybersecurity", "software", "网络安全", "Cybersecurity"),
    ("gis", "software", "地理信息系统", "Geographic information systems"),
    ("blockchain", "software", "区块链", "Blockchain"),
    ("mini-programs", "software", "小程序开发", "WeChat mini-programs"),
    # 设计
    ("industrial-design", "design", "工业设计", "Industrial design"),
    ("product-structure-design", "design", "产品结构设计", "Product structure design"),
    ("ui-ux-design", "design", "UI/UX设计", "UI/UX design"),
    ("graphic-design", "design", "平面设计", "Graphic design"),
    ("brand-identity", "design", "品牌设计", "Brand identity"),
    ("packaging-design", "design", "包装设计", "Packaging design"),
    ("3d-modelling", "design", "三维建模与渲染", "3D modelling and rendering"),
    ("architectural-design", "design", "建筑设计", "Architectural design"),
    ("cultural-creative-design", "design", "文创设计", "Cultural and creative design"),
    # 检验检测与认证
    ("testing-certification", "testing", "检验检测", "Testing and certification"),
    ("emc-testing", "testing", "电磁兼容测试", "EMC testing"),
    ("materials-testing", "testing", "材料检测", "Materials testing"),
    ("reliability-testing", "testing", "可靠性试验", "Reliability testing"),
    ("metrology-calibration", "testing", "计量校准", "Metrology and calibration"),
    ("ccc-certification", "testing", "3C认证咨询", "CCC certification"),
    ("ce-certification", "testing", "CE认证咨询", "CE certification"),
    ("food-safety-testing", "testing", "食品安全检测", "Food safety testing"),
    ("environmental-monitoring", "testing", "环境监测", "Environmental monitoring"),
    # 新材料与化工
    ("composite-materials", "materials", "复合材料", "Composite materials"),
    ("metallurgy", "materials", "冶金工程", "Metallurgy"),
    ("polymer-materials", "materials", "高分子材料", "Polymer materials"),
    ("surface-treatment", "materials", "表面处理", "Surface treatment"),
    ("chemical-process", "materials", "化工工艺", "Chemical process engineering"),
    # 生物医药
    ("drug-formulation", "biomedicine", "药物制剂", "Drug formulation"),
    ("medical-devices", "biomedicine", "医疗器械研发", "Medical device development"),
    ("clinical-research", "biomedicine", "临床研究", "Clinical research"),
    ("bioinformatics", "biomedicine", "生物信息学", "Bioinformatics"),
    ("tcm-research", "biomedicine", "中医药研究", "Traditional Chinese medicine research"),
    # 节能环保
    ("energy-audit", "energy", "能源审计", "Energy audit"),
    ("carbon-accounting", "energy", "碳排放核算", "Carbon accounting"),
    ("wastewater-treatment", "energy", "污水处理", "Wastewater treatment"),
    ("solar-pv", "energy", "光伏工程", "Solar PV engineering"),
    ("hydrogen-energy", "energy", "氢能技术", "Hydrogen energy"),
    # 咨询与知识产权
    ("patent-drafting", "consulting", "专利撰写", "Patent drafting"),
    ("ip-strategy", "consulting", "知识产权布局", "IP strategy"),
    ("technology-transfer", "consulting", "技术转移", "Technology transfer"),
    ("management-consulting", "consulting", "管理咨询", "Management consulting"),
    ("market-research", "consulting", "市场调研", "Market research"),
    ("financial-audit", "consulting", "财务审计", "Financial audit"),
    ("legal-services", "consulting", "法律服务", "Legal services"),
    ("standards-drafting", "consulting", "标准制定", "Standards drafting"),
    (
        "high-tech-enterprise-application",
        "consulting",
        "高新技术企业认定",
        "High-tech enterprise certification",
    ),
    # 公共服务
    ("smart-city", "public-service", "智慧城市", "Smart city"),
    ("e-government", "public-service", "电子政务", "E-government"),
    ("elderly-care-services", "public-service", "养老服务", "Elderly care services"),
    ("community-services", "public-service", "社区服务", "Community services"),
    ("vocational-training", "public-service", "职业技能培训", "Vocational training"),
    ("urban-planning", "public-service", "城市规划", "Urban planning"),
    ("rural-revitalisation", "public-service", "乡村振兴", "Rural revitalisation"),
    ("emergency-management", "public-service", "应急管理", "Emergency management"),
    ("policy-research", "public-service", "政策研究", "Policy research"),
]
