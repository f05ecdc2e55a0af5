"""A generated province of centres (for scale tests and benches; never a file in the repo).

`province(n, seed)` gives a catalogue document (`{"district", "centers"}`) that `hall catalog
load` takes: `n` centres spread over Guangdong's box (about 20.2–25.5 °N, 109.7–117.3 °E), most
of them clustered round the cities, as real centres are, each with a few queues and windows.
The same seed gives the same province.
"""
import random

# (name, lat, lon, weight): where centres gather; the weights follow the cities' sizes roughly
CITIES = (
    ("广州", 23.129, 113.264, 8), ("深圳", 22.543, 114.058, 8), ("东莞", 23.021, 113.752, 5),
    ("佛山", 23.022, 113.122, 5), ("汕头", 23.354, 116.682, 3), ("惠州", 23.112, 114.416, 3),
    ("江门", 22.579, 113.082, 3), ("湛江", 21.271, 110.359, 3), ("茂名", 21.663, 110.925, 3),
    ("肇庆", 23.047, 112.465, 2), ("梅州", 24.288, 116.122, 2), ("清远", 23.682, 113.056, 2),
    ("揭阳", 23.550, 116.373, 2), ("韶关", 24.811, 113.597, 2), ("中山", 22.517, 113.393, 2),
    ("珠海", 22.271, 113.577, 2), ("阳江", 21.858, 111.983, 1), ("河源", 23.744, 114.701, 1),
    ("潮州", 23.657, 116.623, 1), ("汕尾", 22.786, 115.375, 1), ("云浮", 22.915, 112.044, 1),
)
BOX = ((20.2, 25.5), (109.7, 117.3))
QUEUES = (
    {"id": "general", "prefix": "A", "name": "综合受理", "name_en": "General Services", "category": "comprehensive",
     "service_s": 420},
    {"id": "hukou", "prefix": "B", "name": "户籍业务", "name_en": "Household Registration",
     "category": "public_security", "service_s": 360},
    {"id": "social-security", "prefix": "G", "name": "社保", "name_en": "Social Insurance", "category": "specialty",
     "service_s": 300},
    {"id": "tax", "prefix": "F", "name": "税务", "name_en": "Taxation", "category": "specialty", "service_s": 600},
)
HOURS = {"mon-fri": ["08:30-12:00", "13:30-17:30"]}


def province(n=2000, seed=1):
    rng = random.Random(seed)
    names, weights = CITIES, [c[3] for c in CITIES]
    centers = []
    for i in range(n):
        if rng.random() < 0.85:
            city, lat0, lon0, _ = rng.choices(names, weights)[0]
            lat, lon = rng.gauss(lat0, 0.15), rng.gauss(lon0, 0.15)
        else:       # towns between the cities
            city = "乡镇"
            lat, lon = rng.uniform(*BOX[0]), rng.uniform(*BOX[1])
        lat = min(max(lat, BOX[0][0]), BOX[0][1])
        lon = min(max(lon, BOX[1][0]), BOX[1][1])
        queues = QUEUES[:rng.randint(2, len(QUEUES))]
        windows = [{"number": w + 1, "queues": [q["id"] for q in queues[w % len(queues):]] or ["general"]}
                   for w in range(rng.randint(len(queues), 2 * len(queues)))]
        centers.append({
            "id": f"gd-{i + 1:04d}",
            "name": f"{city}第{i + 1}政务服务中心",
            "name_en": f"Guangdong Service Centre {i + 1}",
            "location": [round(lat, 5), round(lon, 5)],
            "hours": HOURS,
            "queues": [dict(q) for q in queues],
            "windows": windows,
        })
    return {"district": {"name": "广东省", "name_en": "Guangdong Province"}, "centers": centers}
