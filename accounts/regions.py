"""Regions: Chongqing's districts and counties (GB/T 2260 codes), then the other provinces.

Tasks and providers carry one of these codes; matching prefers the same district, then
Chongqing, then the rest of China.
"""

from __future__ import annotations

from django.utils.translation import get_language

# (code, Chinese name, English name)
CHONGQING: list[tuple[str, str, str]] = [
    ("500101", "万州区", "Wanzhou"),
    ("500102", "涪陵区", "Fuling"),
    ("500103", "渝中区", "Yuzhong"),
    ("500104", "大渡口区", "Dadukou"),
    ("500105", "江北区", "Jiangbei"),
    ("500106", "沙坪坝区", "Shapingba"),
    ("500107", "九龙坡区", "Jiulongpo"),
    ("500108", "南岸区", "Nan'an"),
    ("500109", "北碚区", "Beibei"),
    ("500110", "綦江区", "Qijiang"),
    ("500111", "大足区", "Dazu"),
    ("500112", "渝北区", "Yubei"),
    ("500113", "巴南区", "Banan"),
    ("500114", "黔江区", "Qianjiang"),
    ("500115", "长寿区", "Changshou"),
    ("500116", "江津区", "Jiangjin"),
    ("500117", "合川区", "Hechuan"),
    ("500118", "永川区", "Yongchuan"),
    ("500119", "南川区", "Nanchuan"),
    ("500120", "璧山区", "Bishan"),
    ("500151", "铜梁区", "Tongliang"),
    ("500152", "潼南区", "Tongnan"),
    ("500153", "荣昌区", "Rongchang"),
    ("500154", "开州区", "Kaizhou"),
    ("500155", "梁平区", "Liangping"),
    ("500156", "武隆区", "Wulong"),
    ("500229", "城口县", "Chengkou"),
    ("500230", "丰都县", "Fengdu"),
    ("500231", "垫江县", "Dianjiang"),
    ("500233", "忠县", "Zhongxian"),
    ("500235", "云阳县", "Yunyang"),
    ("500236", "奉节县", "Fengjie"),
    ("500237", "巫山县", "Wushan"),
    ("500238", "巫溪县", "Wuxi"),
    ("500240", "石柱土家族自治县", "Shizhu"),
    ("500241", "秀山土家族苗族自治县", "Xiushan"),
    ("500242", "酉阳土家族苗族自治县", "Youyang"),
    ("500243", "彭水苗族土家族自治县", "Pengshui"),
]

PROVINCES: list[tuple[str, str, str]] = [
    ("110000", "北京市", "Beijing"),
    ("120000", "天津市", "Tianjin"),
    ("130000", "河北省", "Hebei"),
    ("140000", "山西省", "Shanxi"),
    ("150000", "内蒙古自治区", "Inner Mongolia"),
    ("210000", "辽宁省", "Liaoning"),
    ("220000", "吉林省", "Jilin"),
    ("230000", "黑龙江省", "Heilongjiang"),
    ("310000", "上海市", "Shanghai"),
    ("320000", "江苏省", "Jiangsu"),
    ("330000", "浙江省", "Zhejiang"),
    ("340000", "安徽省", "Anhui"),
    ("350000", "福建省", "Fujian"),
    ("360000", "江西省", "Jiangxi"),
    ("370000", "山东省", "Shandong"),
    ("410000", "河南省", "Henan"),
    ("420000", "湖北省", "Hubei"),
    ("430000", "湖南省", "Hunan"),
    ("440000", "广东省", "Guangdong"),
    ("450000", "广西壮族自治区", "Guangxi"),
    ("460000", "海南省", "Hainan"),
    ("500000", "重庆市（全市）", "Chongqing (all)"),
    ("510000", "四川省", "Sichuan"),
    ("520000", "贵州省", "Guizhou"),
    ("530000", "云南省", "Yunnan"),
    ("540000", "西藏自治区", "Tibet"),
    ("610000", "陕西省", "Shaanxi"),
    ("620000", "甘肃省", "Gansu"),
    ("630000", "青海省", "Qinghai"),
    ("640000", "宁夏回族自治区", "Ningxia"),
    ("650000", "新疆维吾尔自治区", "Xinjiang"),
    ("710000", "台湾省", "Taiwan"),
    ("810000", "香港特别行政区", "Hong Kong"),
    ("820000", "澳门特别行政区", "Macao"),
]

_ALL = {code: (zh, en) for code, zh, en in CHONGQING + PROVINCES}
REGION_CODES = list(_ALL)


def region_name(code: str, language: str | None = None) -> str:
    """The region's name in the active language; empty for an unknown or blank code."""
    names = _ALL.get(code)
    if not names:
        return ""
    language = (language or get_language() or "zh-hans").lower()
    return names[0] if language.startswith("zh") else names[1]


def region_choices() -> list[tuple[str, str]]:
    """Choices for a form field, rendered in the active language when the form is built."""
    return [("", "—")] + [(code, region_name(code)) for code in REGION_CODES]
