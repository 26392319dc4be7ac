"""Reference data shared by the demo seeder and the scale generator: cities, institutions,
names and citizen IDs (GB 11643 checksum)."""

from __future__ import annotations

from datetime import date

# (code, name, province): prefecture-level cities. The order is part of the generator's
# determinism (a person's region is an index into this tuple): only ever append.
REGIONS: tuple[tuple[str, str, str], ...] = (
    ("320100", "南京市", "江苏省"),
    ("310100", "上海市", "上海市"),
    ("330100", "杭州市", "浙江省"),
    ("360400", "九江市", "江西省"),
    ("650100", "乌鲁木齐市", "新疆维吾尔自治区"),
    ("120100", "天津市", "天津市"),
    ("440300", "深圳市", "广东省"),
    ("110100", "北京市", "北京市"),
    ("440100", "广州市", "广东省"),
    ("320500", "苏州市", "江苏省"),
    ("330200", "宁波市", "浙江省"),
    ("340100", "合肥市", "安徽省"),
    ("350100", "福州市", "福建省"),
    ("360100", "南昌市", "江西省"),
    ("370100", "济南市", "山东省"),
    ("370200", "青岛市", "山东省"),
    ("410100", "郑州市", "河南省"),
    ("420100", "武汉市", "湖北省"),
    ("430100", "长沙市", "湖南省"),
    ("450100", "南宁市", "广西壮族自治区"),
    ("500100", "重庆市", "重庆市"),
    ("510100", "成都市", "四川省"),
    ("520100", "贵阳市", "贵州省"),
    ("530100", "昆明市", "云南省"),
    ("610100", "西安市", "陕西省"),
    ("620100", "兰州市", "甘肃省"),
    ("210100", "沈阳市", "辽宁省"),
    ("220100", "长春市", "吉林省"),
    ("230100", "哈尔滨市", "黑龙江省"),
    ("130100", "石家庄市", "河北省"),
)
REGION_INDEX = {code: i for i, (code, _, _) in enumerate(REGIONS)}
REGION_NAMES = {code: name for code, name, _ in REGIONS}

# Institutions: INSTITUTIONS_PER_REGION a city, ids region_index * 40 + slot + 1, so the
# generator can pick one by arithmetic. Slots 0-9 hospitals, 10-24 clinics, 25-39 pharmacies.
INSTITUTIONS_PER_REGION = 40
HOSPITAL_SLOTS = range(0, 10)
CLINIC_SLOTS = range(10, 25)
PHARMACY_SLOTS = range(25, 40)

_HOSPITALS = (
    "第一人民医院", "第二人民医院", "中医院", "妇幼保健院", "儿童医院",
    "第三人民医院", "口腔医院", "眼科医院", "肿瘤医院", "中西医结合医院",
)  # fmt: skip
_CLINIC_AREAS = (
    "鼓楼", "玄武", "城东", "城西", "江滨", "湖滨", "新城", "南湖", "北苑", "东湖",
    "西湖", "长江路", "人民路", "解放路", "中山路",
)  # fmt: skip
_PHARMACIES = (
    "国大药房", "老百姓大药房", "益丰大药房", "大参林", "一心堂",
    "海王星辰", "同仁堂药店", "漱玉平民", "九州通大药房", "华润堂",
    "养天和大药房", "健之佳", "开心人大药房", "百信药房", "德生堂",
)  # fmt: skip
_BRANCHES = ("中山", "解放", "人民", "建设", "和平", "胜利", "新华", "文化", "光明", "幸福")


def institution_rows() -> list[dict[str, object]]:
    """Every institution: (id, code, name, kind, level, region_code)."""
    rows: list[dict[str, object]] = []
    for r, (code, city, _province) in enumerate(REGIONS):
        short = city.removesuffix("市")
        for slot in range(INSTITUTIONS_PER_REGION):
            if slot in HOSPITAL_SLOTS:
                name, kind, level = short + "市" + _HOSPITALS[slot], "hospital", 3 - slot % 3
            elif slot in CLINIC_SLOTS:
                area = _CLINIC_AREAS[slot - CLINIC_SLOTS.start]
                name, kind, level = f"{short}{area}社区卫生服务中心", "clinic", 0
            else:
                i = slot - PHARMACY_SLOTS.start
                name = f"{_PHARMACIES[i]}（{short}{_BRANCHES[(i + r) % len(_BRANCHES)]}店）"
                kind, level = "pharmacy", 0
            rows.append(
                {
                    "id": r * INSTITUTIONS_PER_REGION + slot + 1,
                    "code": f"H{code}{slot:03d}",
                    "name": name,
                    "kind": kind,
                    "level": level,
                    "region_code": code,
                }
            )
    return rows


def institution_id(region_code: str, slot: int) -> int:
    return REGION_INDEX[region_code] * INSTITUTIONS_PER_REGION + slot + 1


# Common surnames, and given-name characters including rare ones outside GB 2312 (GBK only).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余"
    "杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建国志文"
    "斌宇浩凯健俊帆帅旭宁龙林欣悦思雨晨阳子轩梓涵一诺欣怡佳琪浩然宇轩雅婷海波春梅秋菊"
    "喆堃玥镕昇珺赟淼犇垚旻祎翀暐珏琮瑄頔"
)

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def citizen_id_check(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def citizen_id(area: str, birth: date, sequence: int) -> str:
    """area (6 digits) + birth date + 3-digit sequence (odd: male) + check character."""
    first = f"{area}{birth:%Y%m%d}{sequence % 1000:03d}"
    return first + citizen_id_check(first)


def citizen_id_valid(value: str) -> bool:
    return len(value) == 18 and value[:17].isdigit() and citizen_id_check(value[:17]) == value[17]
