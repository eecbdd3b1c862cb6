"""Facts behind the demo network: Beijing's districts, their parks and incubators, the partners.

Park names and places are real or plausibly named after real ones; addresses and coordinates are
roughly right; phone numbers are made up.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Park:
    name_zh: str
    name_en: str
    address: str
    lat: float
    lon: float


@dataclass(frozen=True)
class DistrictFacts:
    code: str  # GB/T 2260, or BDA
    name_zh: str
    name_en: str
    short_zh: str  # as used in company names
    uscc_region: str  # the six digits of the region in a USCC
    address: str  # of the district centre
    lat: float
    lon: float
    enterprise_weight: float  # how many of the demo's enterprises it gets, relative to its parks
    parks: tuple[Park, ...]


MUNICIPAL = {
    "code": "BJ",
    "name_zh": "北京市知识产权公共服务中心",
    "name_en": "Beijing Intellectual Property Public Service Centre",
    "address": "北京市通州区运河东大街57号",
    "lat": 39.9052,
    "lon": 116.7263,
    "phone": "010-55500000",
    "email": "service@ipps-demo.example.com",
    "online_url": "https://ipps-demo.example.com/",
}

P = Park

DISTRICTS: tuple[DistrictFacts, ...] = (
    DistrictFacts(
        "110101",
        "东城区",
        "Dongcheng District",
        "东城",
        "110101",
        "北京市东城区钱粮胡同3号",
        39.9288,
        116.4160,
        1.0,
        (
            P(
                "雍和航星科技园",
                "Yonghe Hangxing Science Park",
                "北京市东城区和平里东街11号",
                39.9560,
                116.4200,
            ),
            P(
                "77文创园",
                "77 Cultural and Creative Park",
                "北京市东城区美术馆后街77号",
                39.9310,
                116.4050,
            ),
            P(
                "中关村东城园",
                "Zhongguancun Dongcheng Park",
                "北京市东城区东直门南大街",
                39.9380,
                116.4330,
            ),
        ),
    ),
    DistrictFacts(
        "110102",
        "西城区",
        "Xicheng District",
        "西城",
        "110102",
        "北京市西城区二龙路27号",
        39.9123,
        116.3660,
        1.0,
        (
            P("金融街", "Financial Street", "北京市西城区金融大街", 39.9160, 116.3590),
            P("德胜科技园", "Desheng Science Park", "北京市西城区德胜门外大街", 39.9530, 116.3780),
            P(
                "天宁1号文化科技创新园",
                "Tianning No. 1 Culture and Technology Park",
                "北京市西城区广安门外大街",
                39.8935,
                116.3440,
            ),
            P(
                "广安产业园",
                "Guang'an Industrial Park",
                "北京市西城区广安门内大街",
                39.8900,
                116.3550,
            ),
        ),
    ),
    DistrictFacts(
        "110105",
        "朝阳区",
        "Chaoyang District",
        "朝阳",
        "110105",
        "北京市朝阳区日坛北路33号",
        39.9215,
        116.4435,
        1.2,
        (
            P("望京科技园", "Wangjing Science Park", "北京市朝阳区利泽中二路", 39.9990, 116.4765),
            P(
                "电子城·IT产业园",
                "Electronic Town IT Industrial Park",
                "北京市朝阳区酒仙桥路",
                39.9734,
                116.4950,
            ),
            P("798艺术区", "798 Art Zone", "北京市朝阳区酒仙桥路4号", 39.9842, 116.4953),
            P(
                "751D·PARK北京时尚设计广场",
                "751D·PARK Fashion Design Plaza",
                "北京市朝阳区酒仙桥路4号院",
                39.9860,
                116.4975,
            ),
            P(
                "北京商务中心区",
                "Beijing Central Business District",
                "北京市朝阳区建国门外大街",
                39.9087,
                116.4597,
            ),
            P(
                "国家文化产业创新实验区",
                "National Cultural Industry Innovation Zone",
                "北京市朝阳区高碑店乡",
                39.9050,
                116.5190,
            ),
            P("朝来科技园", "Chaolai Science Park", "北京市朝阳区来广营西路", 40.0232, 116.4510),
            P(
                "金盏国际合作服务区",
                "Jinzhan International Cooperation Zone",
                "北京市朝阳区金盏乡",
                39.9740,
                116.5700,
            ),
            P(
                "郎园Vintage文创园",
                "Langyuan Vintage Creative Park",
                "北京市朝阳区通惠河北路郎家园6号",
                39.9082,
                116.4825,
            ),
            P(
                "中关村朝阳园电子城北区",
                "Zhongguancun Chaoyang Park, Electronic Town North",
                "北京市朝阳区望京东园",
                40.0050,
                116.4930,
            ),
            P("奥林匹克中心区", "Olympic Central Area", "北京市朝阳区北辰东路", 40.0040, 116.3900),
            P(
                "CBD国际创投集聚区",
                "CBD International Venture Capital Cluster",
                "北京市朝阳区光华路",
                39.9150,
                116.4600,
            ),
        ),
    ),
    DistrictFacts(
        "110106",
        "丰台区",
        "Fengtai District",
        "丰台",
        "110106",
        "北京市丰台区文体路2号",
        39.8585,
        116.2870,
        1.0,
        (
            P(
                "中关村丰台园",
                "Zhongguancun Fengtai Park",
                "北京市丰台区汽车博物馆东路",
                39.8270,
                116.2910,
            ),
            P(
                "丽泽金融商务区",
                "Lize Financial Business District",
                "北京市丰台区丽泽路",
                39.8680,
                116.3130,
            ),
            P("丰台总部基地", "Fengtai Headquarters Base", "北京市丰台区海鹰路", 39.8310, 116.2860),
            P(
                "南中轴国际文化科技园",
                "South Central Axis Culture and Technology Park",
                "北京市丰台区南苑路",
                39.8420,
                116.3950,
            ),
        ),
    ),
    DistrictFacts(
        "110107",
        "石景山区",
        "Shijingshan District",
        "石景山",
        "110107",
        "北京市石景山区石景山路18号",
        39.9056,
        116.2230,
        1.0,
        (
            P(
                "中关村石景山园",
                "Zhongguancun Shijingshan Park",
                "北京市石景山区实兴大街",
                39.9075,
                116.2150,
            ),
            P("首钢园", "Shougang Park", "北京市石景山区石景山路68号", 39.9200, 116.1620),
            P(
                "中关村虚拟现实产业园",
                "Zhongguancun Virtual Reality Industrial Park",
                "北京市石景山区古城大街",
                39.9080,
                116.1930,
            ),
        ),
    ),
    DistrictFacts(
        "110108",
        "海淀区",
        "Haidian District",
        "海淀",
        "110108",
        "北京市海淀区长春桥路17号",
        39.9600,
        116.2980,
        1.5,
        (
            P(
                "中关村软件园",
                "Zhongguancun Software Park",
                "北京市海淀区东北旺西路8号院",
                40.0433,
                116.2877,
            ),
            P(
                "上地信息产业基地",
                "Shangdi Information Industry Base",
                "北京市海淀区上地信息路",
                40.0331,
                116.3122,
            ),
            P(
                "中关村创业大街",
                "Zhongguancun Inno Way",
                "北京市海淀区海淀西大街",
                39.9836,
                116.3067,
            ),
            P(
                "清华科技园",
                "Tsinghua Science Park",
                "北京市海淀区中关村东路1号院",
                39.9925,
                116.3310,
            ),
            P(
                "北大科技园",
                "Peking University Science Park",
                "北京市海淀区中关村北大街",
                39.9955,
                116.3105,
            ),
            P(
                "中关村集成电路设计园",
                "Zhongguancun IC Design Park",
                "北京市海淀区丰豪东路9号院",
                40.0579,
                116.2749,
            ),
            P(
                "中关村环保科技示范园",
                "Zhongguancun Environmental Technology Park",
                "北京市海淀区永丰路",
                40.0662,
                116.2431,
            ),
            P(
                "中关村东升科技园",
                "Zhongguancun Dongsheng Science Park",
                "北京市海淀区西小口路66号院",
                40.0385,
                116.3534,
            ),
            P(
                "中关村智造大街",
                "Zhongguancun Smart Manufacturing Street",
                "北京市海淀区阜成路",
                39.9272,
                116.3047,
            ),
            P(
                "中关村翠湖科技园",
                "Zhongguancun Cuihu Science Park",
                "北京市海淀区翠湖南环路",
                40.0858,
                116.2061,
            ),
            P(
                "海淀留学人员创业园",
                "Haidian Returned Scholars Pioneer Park",
                "北京市海淀区北四环西路",
                39.9838,
                116.3087,
            ),
            P(
                "中关村人工智能科技园",
                "Zhongguancun Artificial Intelligence Science Park",
                "北京市海淀区北清路",
                40.0692,
                116.2335,
            ),
            P(
                "北航科技园",
                "Beihang University Science Park",
                "北京市海淀区学院路37号院",
                39.9815,
                116.3470,
            ),
            P(
                "中关村西区",
                "Zhongguancun West District",
                "北京市海淀区中关村大街",
                39.9836,
                116.3160,
            ),
            P(
                "西三旗金隅科技园",
                "Xisanqi Jinyu Science Park",
                "北京市海淀区建材城中路",
                40.0560,
                116.3520,
            ),
            P(
                "北京理工大学国家科技园",
                "Beijing Institute of Technology National Science Park",
                "北京市海淀区中关村南大街5号院",
                39.9595,
                116.3160,
            ),
        ),
    ),
    DistrictFacts(
        "110109",
        "门头沟区",
        "Mentougou District",
        "门头沟",
        "110109",
        "北京市门头沟区新桥大街8号",
        39.9405,
        116.1020,
        1.0,
        (
            P(
                "中关村门头沟园",
                "Zhongguancun Mentougou Park",
                "北京市门头沟区石龙经济开发区",
                39.9280,
                116.1220,
            ),
            P("京西智谷", "Jingxi Smart Valley", "北京市门头沟区永定镇", 39.9200, 116.1300),
        ),
    ),
    DistrictFacts(
        "110111",
        "房山区",
        "Fangshan District",
        "房山",
        "110111",
        "北京市房山区良乡政通路1号",
        39.7355,
        116.1430,
        1.0,
        (
            P(
                "中关村房山园",
                "Zhongguancun Fangshan Park",
                "北京市房山区阎村镇",
                39.7280,
                116.0900,
            ),
            P(
                "良乡高教园区",
                "Liangxiang Higher Education Park",
                "北京市房山区良乡镇",
                39.7350,
                116.1730,
            ),
            P(
                "北京高端制造业基地",
                "Beijing High-End Manufacturing Base",
                "北京市房山区窦店镇",
                39.6800,
                116.0750,
            ),
        ),
    ),
    DistrictFacts(
        "110112",
        "通州区",
        "Tongzhou District",
        "通州",
        "110112",
        "北京市通州区新华北路10号",
        39.9024,
        116.6566,
        1.0,
        (
            P(
                "运河商务区",
                "Grand Canal Business District",
                "北京市通州区新华东街",
                39.9060,
                116.6680,
            ),
            P(
                "张家湾设计小镇",
                "Zhangjiawan Design Town",
                "北京市通州区张家湾镇",
                39.8500,
                116.7050,
            ),
            P(
                "台湖演艺小镇",
                "Taihu Performing Arts Town",
                "北京市通州区台湖镇",
                39.8330,
                116.6350,
            ),
            P(
                "中关村通州园",
                "Zhongguancun Tongzhou Park",
                "北京市通州区光机电一体化产业基地",
                39.7950,
                116.7200,
            ),
        ),
    ),
    DistrictFacts(
        "110113",
        "顺义区",
        "Shunyi District",
        "顺义",
        "110113",
        "北京市顺义区府前中街5号",
        40.1300,
        116.6545,
        1.0,
        (
            P(
                "中关村顺义园",
                "Zhongguancun Shunyi Park",
                "北京市顺义区林河大街",
                40.1410,
                116.6770,
            ),
            P(
                "天竺综合保税区",
                "Tianzhu Comprehensive Bonded Zone",
                "北京市顺义区天竺镇",
                40.0740,
                116.5680,
            ),
            P(
                "北京临空经济核心区",
                "Beijing Airport Economic Core Zone",
                "北京市顺义区裕民大街",
                40.0870,
                116.6000,
            ),
            P(
                "顺义新能源智能汽车产业园",
                "Shunyi New-Energy Intelligent Vehicle Park",
                "北京市顺义区赵全营镇",
                40.1800,
                116.6200,
            ),
            P(
                "顺义第三代半导体产业园",
                "Shunyi Third-Generation Semiconductor Park",
                "北京市顺义区仁和镇",
                40.1320,
                116.6900,
            ),
            P("国门商务区", "Guomen Business District", "北京市顺义区天北路", 40.0760, 116.6220),
        ),
    ),
    DistrictFacts(
        "110114",
        "昌平区",
        "Changping District",
        "昌平",
        "110114",
        "北京市昌平区府学路7号",
        40.2207,
        116.2312,
        1.1,
        (
            P("未来科学城", "Future Science City", "北京市昌平区未来科学城北区", 40.1010, 116.4320),
            P(
                "中关村生命科学园",
                "Zhongguancun Life Science Park",
                "北京市昌平区生命园路",
                40.0960,
                116.2880,
            ),
            P(
                "中关村昌平园",
                "Zhongguancun Changping Park",
                "北京市昌平区超前路",
                40.2160,
                116.2300,
            ),
            P(
                "回龙观科创中心",
                "Huilongguan Science and Innovation Centre",
                "北京市昌平区回龙观镇",
                40.0800,
                116.3300,
            ),
            P(
                "小汤山工业园",
                "Xiaotangshan Industrial Park",
                "北京市昌平区小汤山镇",
                40.1790,
                116.3920,
            ),
            P("沙河高教园", "Shahe Higher Education Park", "北京市昌平区沙河镇", 40.1480, 116.2800),
            P(
                "未来科学城能源谷",
                "Future Science City Energy Valley",
                "北京市昌平区北七家镇",
                40.0920,
                116.4440,
            ),
        ),
    ),
    DistrictFacts(
        "110115",
        "大兴区",
        "Daxing District",
        "大兴",
        "110115",
        "北京市大兴区兴政街15号",
        39.7264,
        116.3415,
        1.0,
        (
            P(
                "大兴生物医药产业基地",
                "Daxing Biomedicine Industrial Base",
                "北京市大兴区天河西路",
                39.7050,
                116.3380,
            ),
            P(
                "大兴国际机场临空经济区",
                "Daxing Airport Economic Zone",
                "北京市大兴区礼贤镇",
                39.5600,
                116.4100,
            ),
            P(
                "北京中日创新合作示范区",
                "Beijing China-Japan Innovation Cooperation Zone",
                "北京市大兴区魏善庄镇",
                39.6480,
                116.4200,
            ),
            P(
                "国家新媒体产业基地",
                "National New Media Industry Base",
                "北京市大兴区兴华大街",
                39.7560,
                116.3380,
            ),
            P(
                "大兴国际氢能示范区",
                "Daxing International Hydrogen Demonstration Zone",
                "北京市大兴区青云店镇",
                39.6900,
                116.4900,
            ),
            P(
                "大兴经济开发区",
                "Daxing Economic Development Zone",
                "北京市大兴区金星西路",
                39.7420,
                116.3050,
            ),
        ),
    ),
    DistrictFacts(
        "110116",
        "怀柔区",
        "Huairou District",
        "怀柔",
        "110116",
        "北京市怀柔区青春路9号",
        40.3160,
        116.6320,
        1.0,
        (
            P("怀柔科学城", "Huairou Science City", "北京市怀柔区雁栖镇", 40.3950, 116.6750),
            P(
                "中国(怀柔)影视产业示范区",
                "China (Huairou) Film and Television Industry Zone",
                "北京市怀柔区杨宋镇",
                40.3180,
                116.6230,
            ),
            P(
                "雁栖经济开发区",
                "Yanqi Economic Development Zone",
                "北京市怀柔区雁栖路",
                40.3600,
                116.6600,
            ),
        ),
    ),
    DistrictFacts(
        "110117",
        "平谷区",
        "Pinggu District",
        "平谷",
        "110117",
        "北京市平谷区府前街9号",
        40.1440,
        117.1210,
        1.0,
        (
            P(
                "中关村平谷园",
                "Zhongguancun Pinggu Park",
                "北京市平谷区兴谷经济开发区",
                40.1300,
                117.0950,
            ),
            P("农业中关村", "Agricultural Zhongguancun", "北京市平谷区峪口镇", 40.1600, 117.0200),
        ),
    ),
    DistrictFacts(
        "110118",
        "密云区",
        "Miyun District",
        "密云",
        "110118",
        "北京市密云区新中街2号",
        40.3770,
        116.8430,
        1.0,
        (
            P(
                "中关村密云园",
                "Zhongguancun Miyun Park",
                "北京市密云区经济开发区",
                40.3650,
                116.8500,
            ),
            P(
                "密云科技创新园",
                "Miyun Science and Innovation Park",
                "北京市密云区檀营乡",
                40.3870,
                116.8300,
            ),
        ),
    ),
    DistrictFacts(
        "110119",
        "延庆区",
        "Yanqing District",
        "延庆",
        "110119",
        "北京市延庆区妫水北街1号",
        40.4565,
        115.9750,
        1.0,
        (
            P(
                "中关村延庆园",
                "Zhongguancun Yanqing Park",
                "北京市延庆区八达岭经济开发区",
                40.4620,
                115.9650,
            ),
        ),
    ),
    DistrictFacts(
        "BDA",
        "北京经济技术开发区",
        "Beijing Economic-Technological Development Area",
        "亦庄",
        "110302",
        "北京经济技术开发区荣华中路15号",
        39.7950,
        116.5060,
        1.2,
        (
            P(
                "亦庄生物医药园",
                "Yizhuang Biomedicine Park",
                "北京经济技术开发区科创十三街",
                39.7840,
                116.5290,
            ),
            P(
                "北京国际医药创新公园",
                "Beijing International Pharmaceutical Innovation Park",
                "北京经济技术开发区荣京东街",
                39.7960,
                116.5140,
            ),
            P(
                "北京信创园",
                "Beijing Information Technology Innovation Park",
                "北京经济技术开发区经海路",
                39.7760,
                116.5580,
            ),
            P(
                "亦庄新能源汽车产业园",
                "Yizhuang New-Energy Vehicle Park",
                "北京经济技术开发区博兴路",
                39.7700,
                116.5720,
            ),
            P(
                "亦庄集成电路产业园",
                "Yizhuang Integrated Circuit Park",
                "北京经济技术开发区文昌大道",
                39.7870,
                116.5440,
            ),
            P(
                "北京机器人产业园",
                "Beijing Robotics Industrial Park",
                "北京经济技术开发区科创十街",
                39.7905,
                116.5270,
            ),
            P(
                "亦庄数字经济产业园",
                "Yizhuang Digital Economy Park",
                "北京经济技术开发区地盛中路",
                39.8010,
                116.5010,
            ),
            P(
                "经开区留学人员创业园",
                "BDA Returned Scholars Pioneer Park",
                "北京经济技术开发区西环南路",
                39.7975,
                116.4970,
            ),
            P(
                "北京医疗器械产业园",
                "Beijing Medical Device Industrial Park",
                "北京经济技术开发区凉水河二街",
                39.7800,
                116.5350,
            ),
        ),
    ),
)


@dataclass(frozen=True)
class PartnerFacts:
    code: str
    region: str
    name_zh: str
    name_en: str
    host_park: str
    address: str
    lat: float
    lon: float
    phone: str


PARTNERS: tuple[PartnerFacts, ...] = (
    PartnerFacts(
        "PT-TJ-001",
        "tianjin",
        "滨海—中关村科技园知识产权工作站",
        "Binhai-Zhongguancun Science Park IP Workstation",
        "滨海—中关村科技园",
        "天津市滨海新区北塘街道",
        39.1190,
        117.7210,
        "022-55500101",
    ),
    PartnerFacts(
        "PT-TJ-002",
        "tianjin",
        "京津中关村科技城知识产权工作站",
        "Jing-Jin Zhongguancun Science City IP Workstation",
        "京津中关村科技城",
        "天津市宝坻区九园工业园区",
        39.6880,
        117.3240,
        "022-55500102",
    ),
    PartnerFacts(
        "PT-HE-001",
        "hebei",
        "保定·中关村创新中心知识产权工作站",
        "Baoding-Zhongguancun Innovation Centre IP Workstation",
        "保定·中关村创新中心",
        "河北省保定市莲池区东三环",
        38.8700,
        115.4840,
        "0312-5550101",
    ),
    PartnerFacts(
        "PT-HE-002",
        "hebei",
        "雄安新区中关村科技园知识产权工作站",
        "Xiong'an Zhongguancun Science Park IP Workstation",
        "雄安新区中关村科技园",
        "河北省雄安新区容东片区",
        39.0330,
        115.9110,
        "0312-5550102",
    ),
    PartnerFacts(
        "PT-HE-003",
        "hebei",
        "曹妃甸协同发展示范区知识产权工作站",
        "Caofeidian Coordinated Development Zone IP Workstation",
        "曹妃甸协同发展示范区",
        "河北省唐山市曹妃甸区",
        39.2730,
        118.4600,
        "0315-5550103",
    ),
    PartnerFacts(
        "PT-OS-001",
        "overseas",
        "北京海外知识产权维权合作站（德国·慕尼黑）",
        "Beijing Overseas IP Protection Partner Station (Munich, Germany)",
        "",
        "Munich, Germany",
        48.1374,
        11.5755,
        "+49 89 5550101",
    ),
)

OPENING_HOURS = (
    "周一至周五 9:00—17:00（法定节假日除外）",
    "周一至周五 9:00—17:30（法定节假日除外）",
    "周一至周五 8:30—17:00（法定节假日除外）",
    "周一至周五 9:00—18:00，周六上午预约服务",
)

# GB/T 4754-2017 divisions the demo's enterprises work in, with their base weights and the words
# that go into company names.
INDUSTRIES: dict[str, tuple[float, tuple[str, ...]]] = {
    "65": (22, ("软件", "信息技术", "数据科技", "智能科技", "网络技术")),
    "64": (7, ("网络科技", "互联网科技", "数字科技")),
    "63": (1, ("通信技术", "通信服务")),
    "73": (12, ("生物技术", "新材料科技", "科技发展", "检测技术")),
    "74": (6, ("工程技术", "检测认证", "工程设计")),
    "75": (5, ("科技服务", "技术转移", "科技孵化器")),
    "27": (8, ("生物医药", "制药", "医药科技", "生物制品")),
    "39": (9, ("电子", "微电子", "光电科技", "通信设备", "半导体")),
    "40": (3, ("仪器仪表", "精密仪器", "传感技术")),
    "38": (3, ("电气", "新能源科技", "储能技术")),
    "35": (4, ("医疗器械", "智能装备", "机器人")),
    "34": (2, ("机械设备", "精密机械")),
    "36": (2, ("汽车科技", "新能源汽车")),
    "37": (1, ("航空科技", "航天技术", "无人机")),
    "26": (2, ("化工", "新材料")),
    "14": (1, ("食品",)),
    "01": (1, ("农业科技", "种业", "生态农业")),
    "72": (3, ("管理咨询", "商务服务")),
    "86": (1, ("影视文化", "传媒")),
    "87": (2, ("文化创意", "文化发展", "艺术设计")),
    "51": (2, ("科贸", "商贸")),
    "83": (1, ("教育科技",)),
    "77": (1, ("环境科技", "环保科技")),
    "44": (1, ("能源科技", "氢能科技")),
    "67": (1, ("资本管理", "基金管理")),
}

# How much more (or less) a district leans to a division than the city as a whole.
INDUSTRY_BIAS: dict[str, dict[str, float]] = {
    "110108": {"65": 1.5, "73": 1.5, "64": 1.5, "39": 1.3},
    "110105": {"64": 1.5, "86": 3, "87": 3, "72": 2},
    "BDA": {"27": 3, "35": 2.5, "36": 3, "39": 2.5, "40": 2, "65": 0.5},
    "110114": {"27": 2.5, "73": 1.5, "44": 4},
    "110115": {"27": 3, "36": 1.5, "44": 3, "86": 2},
    "110113": {"36": 3, "37": 4, "39": 2, "51": 2},
    "110101": {"72": 3, "87": 4, "86": 2, "65": 0.7},
    "110102": {"67": 12, "72": 3, "87": 2},
    "110106": {"37": 3, "67": 3, "74": 2},
    "110107": {"87": 2, "65": 1.2},
    "110112": {"87": 3, "74": 2},
    "110111": {"26": 4, "35": 2, "73": 1.5},
    "110109": {"87": 2},
    "110116": {"73": 2.5, "86": 6, "14": 3},
    "110117": {"01": 12, "14": 6, "65": 0.4},
    "110118": {"01": 8, "14": 6, "65": 0.5},
    "110119": {"01": 8, "37": 6, "44": 3, "65": 0.5},
}

# Geographical indications of the farming districts (used by their farms and food makers).
GIS: dict[str, tuple[str, ...]] = {
    "110117": ("平谷大桃",),
    "110118": ("密云板栗", "密云黄土坎鸭梨"),
    "110119": ("延庆国光苹果",),
    "110116": ("怀柔板栗",),
    "110111": ("房山磨盘柿",),
    "110109": ("京白梨",),
}

BRAND_FIRST = "华中天博智创盛恒嘉瑞泰鼎卓睿云星海清远晨正新宏兴安信康源启明同联聚领优锐格合汇致"
BRAND_SECOND = "科达通信泰宇辰图芯维航捷晟森锦润拓腾途迈诺岚翼川澜越策盾衡数视能峰际洲朗程"

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉建国文博宇欣怡晨浩然子轩思雨佳琪"

# Invention titles by GB/T 4754 section (methods and products); utility models protect structures.
INVENTION_TITLES: dict[str, tuple[str, ...]] = {
    "I": (
        "一种基于深度学习的图像识别方法",
        "一种分布式数据存储方法及系统",
        "一种多模态语音交互方法",
        "一种基于知识图谱的智能问答方法",
        "一种隐私计算的数据共享方法及装置",
        "一种云边协同的任务调度方法",
        "一种异常流量检测方法及电子设备",
        "一种大模型推理加速方法",
    ),
    "M": (
        "一种抗体药物组合物及其制备方法",
        "一种基因编辑载体及其应用",
        "一种检测试剂盒及检测方法",
        "一种锂电池正极材料及其制备方法",
        "一种高通量细胞培养方法",
        "一种复合催化剂及其制备方法",
        "一种石墨烯改性涂层材料",
        "一种环境污染物快速检测方法",
    ),
    "C": (
        "一种芯片封装结构及封装方法",
        "一种机器人关节驱动装置",
        "一种医疗影像重建方法",
        "一种车载控制器及控制方法",
        "一种光学镜头模组",
        "一种储能电池热管理系统",
        "一种氢燃料电池双极板及其制备方法",
        "一种精密减速器",
        "一种小分子化合物及其医药用途",
        "一种显示面板及显示装置",
    ),
}
UTILITY_TITLES = (
    "一种便于拆装的传感器固定装置",
    "一种散热结构及电子设备",
    "一种无人机机臂折叠机构",
    "一种检测样本收集装置",
    "一种充电桩线缆收纳结构",
    "一种实验室用试管架",
    "一种设备防尘外壳",
    "一种机械臂末端夹持装置",
    "一种温湿度监测终端",
    "一种光伏组件安装支架",
)
DESIGN_OBJECTS = (
    "智能音箱",
    "手持终端",
    "医疗监护仪",
    "包装盒",
    "电动车充电桩",
    "工业机器人",
    "台灯",
    "手机壳",
)
SOFTWARE_SYSTEMS = (
    "数据治理平台",
    "智能客服系统",
    "供应链管理系统",
    "医学影像分析软件",
    "设备运维管理平台",
    "知识产权管理系统",
    "能耗监测系统",
    "工业互联网平台",
    "在线教育平台",
    "智能排产系统",
)
TRADE_SECRETS = (
    "核心工艺参数",
    "关键配方",
    "客户名单与报价体系",
    "源代码及算法模型",
    "菌种保藏与发酵工艺",
)

PRIORITY_REASONS = (
    "国家高新技术企业，核心专利布局需求",
    "专精特新企业，海外市场知识产权风险排查",
    "拟上市企业，知识产权合规辅导",
    "重点产业链企业，专利导航服务",
    "遭遇侵权纠纷，需要维权援助",
    "商标品牌培育",
    "知识产权质押融资需求",
)
