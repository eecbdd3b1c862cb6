"""GB/T 4754-2017 Industrial classification for national economic activities: sections and divisions."""

from django.utils.translation import get_language

# section letter -> (English, Chinese)
SECTIONS: dict[str, tuple[str, str]] = {
    "A": ("Agriculture, forestry, animal husbandry and fishery", "农、林、牧、渔业"),
    "B": ("Mining", "采矿业"),
    "C": ("Manufacturing", "制造业"),
    "D": (
        "Electricity, heat, gas and water production and supply",
        "电力、热力、燃气及水生产和供应业",
    ),
    "E": ("Construction", "建筑业"),
    "F": ("Wholesale and retail trade", "批发和零售业"),
    "G": ("Transport, storage and postal services", "交通运输、仓储和邮政业"),
    "H": ("Accommodation and catering", "住宿和餐饮业"),
    "I": (
        "Information transmission, software and information technology services",
        "信息传输、软件和信息技术服务业",
    ),
    "J": ("Finance", "金融业"),
    "K": ("Real estate", "房地产业"),
    "L": ("Leasing and business services", "租赁和商务服务业"),
    "M": ("Scientific research and technical services", "科学研究和技术服务业"),
    "N": (
        "Water conservancy, environment and public facilities management",
        "水利、环境和公共设施管理业",
    ),
    "O": ("Residential, repair and other services", "居民服务、修理和其他服务业"),
    "P": ("Education", "教育"),
    "Q": ("Health and social work", "卫生和社会工作"),
    "R": ("Culture, sports and entertainment", "文化、体育和娱乐业"),
    "S": (
        "Public administration, social security and social organisations",
        "公共管理、社会保障和社会组织",
    ),
    "T": ("International organisations", "国际组织"),
}

# division code -> (section, English, Chinese)
DIVISIONS: dict[str, tuple[str, str, str]] = {
    "01": ("A", "Agriculture", "农业"),
    "02": ("A", "Forestry", "林业"),
    "03": ("A", "Animal husbandry", "畜牧业"),
    "04": ("A", "Fishery", "渔业"),
    "05": (
        "A",
        "Agricultural, forestry, animal husbandry and fishery services",
        "农、林、牧、渔专业及辅助性活动",
    ),
    "06": ("B", "Coal mining and washing", "煤炭开采和洗选业"),
    "07": ("B", "Petroleum and natural gas extraction", "石油和天然气开采业"),
    "08": ("B", "Ferrous metal ore mining", "黑色金属矿采选业"),
    "09": ("B", "Non-ferrous metal ore mining", "有色金属矿采选业"),
    "10": ("B", "Non-metallic mineral mining", "非金属矿采选业"),
    "11": ("B", "Mining support activities", "开采专业及辅助性活动"),
    "12": ("B", "Other mining", "其他采矿业"),
    "13": ("C", "Processing of food from agricultural products", "农副食品加工业"),
    "14": ("C", "Food manufacturing", "食品制造业"),
    "15": ("C", "Manufacture of liquor, beverages and refined tea", "酒、饮料和精制茶制造业"),
    "16": ("C", "Tobacco manufacturing", "烟草制品业"),
    "17": ("C", "Textiles", "纺织业"),
    "18": ("C", "Textile garments and apparel", "纺织服装、服饰业"),
    "19": ("C", "Leather, fur, feather and footwear", "皮革、毛皮、羽毛及其制品和制鞋业"),
    "20": (
        "C",
        "Wood processing, bamboo, rattan, palm and straw products",
        "木材加工和木、竹、藤、棕、草制品业",
    ),
    "21": ("C", "Furniture manufacturing", "家具制造业"),
    "22": ("C", "Paper and paper products", "造纸和纸制品业"),
    "23": ("C", "Printing and reproduction of recorded media", "印刷和记录媒介复制业"),
    "24": (
        "C",
        "Culture, education, arts, sports and entertainment goods",
        "文教、工美、体育和娱乐用品制造业",
    ),
    "25": ("C", "Petroleum, coal and other fuel processing", "石油、煤炭及其他燃料加工业"),
    "26": ("C", "Chemical raw materials and chemical products", "化学原料和化学制品制造业"),
    "27": ("C", "Pharmaceutical manufacturing", "医药制造业"),
    "28": ("C", "Chemical fibres", "化学纤维制造业"),
    "29": ("C", "Rubber and plastic products", "橡胶和塑料制品业"),
    "30": ("C", "Non-metallic mineral products", "非金属矿物制品业"),
    "31": ("C", "Smelting and pressing of ferrous metals", "黑色金属冶炼和压延加工业"),
    "32": ("C", "Smelting and pressing of non-ferrous metals", "有色金属冶炼和压延加工业"),
    "33": ("C", "Metal products", "金属制品业"),
    "34": ("C", "General-purpose machinery", "通用设备制造业"),
    "35": ("C", "Special-purpose machinery", "专用设备制造业"),
    "36": ("C", "Automobile manufacturing", "汽车制造业"),
    "37": (
        "C",
        "Railway, ship, aerospace and other transport equipment",
        "铁路、船舶、航空航天和其他运输设备制造业",
    ),
    "38": ("C", "Electrical machinery and equipment", "电气机械和器材制造业"),
    "39": (
        "C",
        "Computers, communication and other electronic equipment",
        "计算机、通信和其他电子设备制造业",
    ),
    "40": ("C", "Instruments and meters", "仪器仪表制造业"),
    "41": ("C", "Other manufacturing", "其他制造业"),
    "42": ("C", "Comprehensive utilisation of waste resources", "废弃资源综合利用业"),
    "43": ("C", "Repair of metal products, machinery and equipment", "金属制品、机械和设备修理业"),
    "44": ("D", "Production and supply of electricity and heat", "电力、热力生产和供应业"),
    "45": ("D", "Production and supply of gas", "燃气生产和供应业"),
    "46": ("D", "Production and supply of water", "水的生产和供应业"),
    "47": ("E", "Building construction", "房屋建筑业"),
    "48": ("E", "Civil engineering construction", "土木工程建筑业"),
    "49": ("E", "Building installation", "建筑安装业"),
    "50": (
        "E",
        "Building decoration, renovation and other construction",
        "建筑装饰、装修和其他建筑业",
    ),
    "51": ("F", "Wholesale trade", "批发业"),
    "52": ("F", "Retail trade", "零售业"),
    "53": ("G", "Railway transport", "铁路运输业"),
    "54": ("G", "Road transport", "道路运输业"),
    "55": ("G", "Water transport", "水上运输业"),
    "56": ("G", "Air transport", "航空运输业"),
    "57": ("G", "Pipeline transport", "管道运输业"),
    "58": ("G", "Multimodal transport and transport agency", "多式联运和运输代理业"),
    "59": ("G", "Loading, unloading and storage", "装卸搬运和仓储业"),
    "60": ("G", "Postal services", "邮政业"),
    "61": ("H", "Accommodation", "住宿业"),
    "62": ("H", "Catering", "餐饮业"),
    "63": (
        "I",
        "Telecommunications, radio and television and satellite transmission services",
        "电信、广播电视和卫星传输服务",
    ),
    "64": ("I", "Internet and related services", "互联网和相关服务"),
    "65": ("I", "Software and information technology services", "软件和信息技术服务业"),
    "66": ("J", "Monetary and financial services", "货币金融服务"),
    "67": ("J", "Capital market services", "资本市场服务"),
    "68": ("J", "Insurance", "保险业"),
    "69": ("J", "Other financial services", "其他金融业"),
    "70": ("K", "Real estate", "房地产业"),
    "71": ("L", "Leasing", "租赁业"),
    "72": ("L", "Business services", "商务服务业"),
    "73": ("M", "Research and experimental development", "研究和试验发展"),
    "74": ("M", "Professional technical services", "专业技术服务业"),
    "75": ("M", "Technology promotion and application services", "科技推广和应用服务业"),
    "76": ("N", "Water conservancy management", "水利管理业"),
    "77": ("N", "Ecological protection and environmental governance", "生态保护和环境治理业"),
    "78": ("N", "Public facilities management", "公共设施管理业"),
    "79": ("N", "Land management", "土地管理业"),
    "80": ("O", "Residential services", "居民服务业"),
    "81": (
        "O",
        "Repair of motor vehicles, electronic products and household goods",
        "机动车、电子产品和日用产品修理业",
    ),
    "82": ("O", "Other services", "其他服务业"),
    "83": ("P", "Education", "教育"),
    "84": ("Q", "Health", "卫生"),
    "85": ("Q", "Social work", "社会工作"),
    "86": ("R", "News and publishing", "新闻和出版业"),
    "87": ("R", "Radio, television, film and recording production", "广播、电视、电影和录音制作业"),
    "88": ("R", "Culture and arts", "文化艺术业"),
    "89": ("R", "Sports", "体育"),
    "90": ("R", "Entertainment", "娱乐业"),
    "91": ("S", "Organisations of the Communist Party of China", "中国共产党机关"),
    "92": ("S", "State organs", "国家机构"),
    "93": (
        "S",
        "People's political consultative conferences and democratic parties",
        "人民政协、民主党派",
    ),
    "94": ("S", "Social security", "社会保障"),
    "95": (
        "S",
        "Mass organisations, social groups and other membership organisations",
        "群众团体、社会团体和其他成员组织",
    ),
    "96": ("S", "Grassroots mass self-governing organisations", "基层群众自治组织及其他组织"),
    "97": ("T", "International organisations", "国际组织"),
}


def _zh() -> bool:
    return (get_language() or "").lower().startswith("zh")


def section_label(code: str) -> str:
    names = SECTIONS.get(code)
    if not names:
        return code
    return f"{code} {names[1] if _zh() else names[0]}"


def division_label(code: str) -> str:
    names = DIVISIONS.get(code)
    if not names:
        return code
    return f"{code} {names[2] if _zh() else names[1]}"


def section_choices() -> list[tuple[str, str]]:
    return [(code, section_label(code)) for code in SECTIONS]


def division_choices() -> list[tuple[str, str]]:
    return [(code, division_label(code)) for code in DIVISIONS]


def parse_industry(text: str) -> tuple[str, str]:
    """(section, division) from what an office file holds: 'I', '65', 'I65', '软件和信息技术服务业' …"""
    import unicodedata

    value = unicodedata.normalize("NFKC", str(text or "")).strip().upper()
    if not value:
        return "", ""
    if value in SECTIONS:
        return value, ""
    head = value.replace(" ", "")
    if len(head) >= 3 and head[0] in SECTIONS and head[1:3].isdigit() and head[1:3] in DIVISIONS:
        division = head[1:3]
        if DIVISIONS[division][0] == head[0]:
            return head[0], division
    if head[:2].isdigit() and head[:2] in DIVISIONS:
        return DIVISIONS[head[:2]][0], head[:2]
    for code, (section, en, zh) in DIVISIONS.items():
        if value in (zh, en.upper()):
            return section, code
    for code, (en, zh) in SECTIONS.items():
        if value in (zh, en.upper()):
            return code, ""
    raise ValueError(text)
