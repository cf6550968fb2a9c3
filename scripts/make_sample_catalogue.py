"""Write the sample catalogue shipped in src/open_lrs/records/data/ (docs/catalogue.md).

Every code, title and awarding organisation here is made up, in the shapes the real ones take,
so that a new installation and the tests have a catalogue covering every qualification type
and level. The output is the same on every run: run it again after editing the tables and
commit the two CSV files.

    .venv/bin/python scripts/make_sample_catalogue.py
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from open_lrs.records.catalogue_format import QUALIFICATION_COLUMNS, UNIT_COLUMNS

DATA = Path(__file__).resolve().parent.parent / "src" / "open_lrs" / "records" / "data"

ORGANISATIONS = {
    "NEB": "Northgate Examinations Board",
    "SVE": "Severn Valley Examinations",
    "HCA": "Harbour City Awards",
    "MAB": "Meridian Awarding Body",
    "WVQ": "Westmoor Vocational Qualifications",
    "PTC": "Pennine Technical Council",
    "LAP": "Lantern Assessment Partnership",
    "ORS": "Open Routes Sample Awards",
    "TCD": "Tri-County Diploma Consortium",
    "NONE": "No awarding organisation (non-regulated provision)",
}
# LARS LearnAimRefType, given only where the sample is sure of the code.
AIM_TYPES = {"GCSE": "0003", "GCE_A": "0002", "GCE_AS": "0001"}

# (type, level, title, awarding organisation, credits, guided learning hours, from, to)
Q = tuple[str, str, str, str, int | None, int | None, str, str]

GCSES = [
    ("English Language", "2015-09-01"),
    ("English Literature", "2015-09-01"),
    ("Mathematics", "2015-09-01"),
    ("Combined Science (Double Award)", "2016-09-01"),
    ("Biology", "2016-09-01"),
    ("Chemistry", "2016-09-01"),
    ("Physics", "2016-09-01"),
    ("History", "2016-09-01"),
    ("Geography", "2016-09-01"),
    ("French", "2016-09-01"),
    ("Computer Science", "2016-09-01"),
    ("Art and Design", "2016-09-01"),
    ("Religious Studies", "2016-09-01"),
]
A_LEVELS = [
    "Mathematics",
    "Further Mathematics",
    "English Literature",
    "Biology",
    "Chemistry",
    "Physics",
    "History",
    "Psychology",
    "Economics",
    "Sociology",
    "Computer Science",
]
AS_LEVELS = ["Mathematics", "Physics", "History", "Psychology"]


def _school_qualifications() -> list[Q]:
    found: list[Q] = []
    for i, (subject, start) in enumerate(GCSES):
        board = "NEB" if i % 2 == 0 else "SVE"
        hours = 240 if "Double" in subject else 130
        found.append(("GCSE", "2", f"GCSE (9-1) in {subject}", board, None, hours, start, ""))
    for i, subject in enumerate(A_LEVELS):
        board = "SVE" if i % 2 == 0 else "NEB"
        title = f"GCE A Level in {subject}"
        found.append(("GCE_A", "3", title, board, None, 360, "2016-09-01", ""))
    for subject in AS_LEVELS:
        title = f"GCE AS Level in {subject}"
        found.append(("GCE_AS", "3", title, "NEB", None, 180, "2016-09-01", ""))
    for level in ("E1", "E2", "E3"):
        for subject in ("English", "Mathematics"):
            title = f"Entry Level Certificate in {subject} (Entry {level[1]})"
            found.append(("ELC", level, title, "NEB", None, 120, "2016-09-01", ""))
    return found


def _functional_skills() -> list[Q]:
    found: list[Q] = []
    for level in ("E1", "E2", "E3", "1", "2"):
        named = f"Entry {level[1]}" if level.startswith("E") else f"Level {level}"
        hours = 72 if level.startswith("E") else 55
        for subject in ("English", "Mathematics"):
            title = f"Functional Skills Qualification in {subject} at {named}"
            found.append(("FS", level, title, "HCA", None, hours, "2019-09-01", ""))
    for level in ("1", "2"):
        title = f"Functional Skills Qualification in ICT at Level {level}"
        found.append(("FS", level, title, "HCA", None, 45, "2010-09-01", "2020-07-31"))
    return found


def _vocational() -> list[Q]:
    nvqs: list[Q] = [
        ("NVQ", "1", "Level 1 NVQ Certificate in Business and Administration", "WVQ", 17, 120,
         "2010-01-01", "2017-12-31"),
        ("NVQ", "2", "Level 2 NVQ Diploma in Hairdressing", "WVQ", 47, 350,
         "2010-09-01", "2017-12-31"),
        ("NVQ", "2", "Level 2 NVQ Diploma in Trowel Occupations (Construction)", "PTC", 70, 480,
         "2010-09-01", ""),
        ("NVQ", "3", "Level 3 NVQ Diploma in Health and Social Care (Adults)", "LAP", 58, 420,
         "2011-01-01", ""),
        ("NVQ", "3", "Level 3 NVQ Certificate in Customer Service", "WVQ", 27, 180,
         "2010-09-01", "2017-12-31"),
        ("NVQ", "4", "Level 4 NVQ Diploma in Management", "ORS", 65, 400,
         "2010-09-01", ""),
        ("NVQ", "5", "Level 5 NVQ Diploma in Operations and Departmental Management", "ORS", 60,
         390, "2011-01-01", ""),
    ]  # fmt: skip
    btec: list[Q] = [
        ("BTEC", "E3", "BTEC Entry Level Award in Vocational Studies (Entry 3)", "MAB", 6, 60,
         "2013-09-01", ""),
        ("BTEC", "2", "BTEC Level 2 First Award in Sport", "MAB", None, 120, "2012-09-01",
         "2019-08-31"),
        ("BTEC", "2", "BTEC Level 2 First Certificate in Business", "MAB", None, 240,
         "2012-09-01", "2019-08-31"),
        ("BTEC", "2", "BTEC Level 2 First Extended Certificate in Engineering", "MAB", None, 360,
         "2012-09-01", "2019-08-31"),
        ("BTEC", "2", "BTEC Level 2 First Diploma in Information and Creative Technology",
         "MAB", None, 480, "2012-09-01", "2019-08-31"),
        ("BTEC", "3", "BTEC Level 3 National Extended Certificate in Applied Science", "MAB",
         None, 360, "2016-09-01", ""),
        ("BTEC", "3", "BTEC Level 3 National Extended Certificate in Business", "MAB", None, 360,
         "2016-09-01", ""),
        ("BTEC", "3", "BTEC Level 3 National Diploma in Information Technology", "MAB", None,
         720, "2016-09-01", ""),
        ("BTEC", "3", "BTEC Level 3 National Extended Diploma in Engineering", "MAB", None, 1080,
         "2016-09-01", ""),
        ("BTEC", "3", "BTEC Level 3 National Extended Diploma in Sport", "MAB", None, 1080,
         "2016-09-01", ""),
        ("BTEC", "3", "BTEC Level 3 National Diploma in Health and Social Care", "MAB", None, 720,
         "2016-09-01", ""),
        ("BTEC", "4", "BTEC Level 4 HNC Diploma in Construction and the Built Environment",
         "MAB", 120, 480, "2010-09-01", ""),
        ("BTEC", "4", "BTEC Level 4 HNC Diploma in Computing and Systems Development", "MAB", 120,
         480, "2010-09-01", ""),
        ("BTEC", "5", "BTEC Level 5 HND Diploma in Business", "MAB", 240, 960, "2010-09-01", ""),
        ("BTEC", "5", "BTEC Level 5 HND Diploma in Electrical and Electronic Engineering", "MAB",
         240, 960, "2010-09-01", ""),
    ]  # fmt: skip
    diplomas: list[Q] = []
    for subject in ("Engineering", "Information Technology"):
        for level, name, hours in (("1", "Foundation", 600), ("2", "Higher", 800),
                                   ("3", "Advanced", 1080)):  # fmt: skip
            title = f"Level {level} {name} Diploma in {subject}"
            diplomas.append(
                ("DIPLOMA_14_19", level, title, "TCD", None, hours, "2008-09-01", "2014-08-31")
            )
    return nvqs + btec + diplomas


# QCF qualifications by level: (award, certificate, diploma) subjects and credits.
QCF_BY_LEVEL = {
    "E1": [("QCF_AWARD", "Award in Personal Progress (Entry 1)", 4)],
    "E2": [("QCF_AWARD", "Award in Skills for Independent Living (Entry 2)", 6)],
    "E3": [
        ("QCF_AWARD", "Award in Employability Skills (Entry 3)", 8),
        ("QCF_CERTIFICATE", "Certificate in Skills for Working Life (Entry 3)", 14),
    ],
    "1": [
        ("QCF_AWARD", "Level 1 Award in Health and Safety in the Workplace", 1),
        ("QCF_CERTIFICATE", "Level 1 Certificate in Introduction to the Hospitality Industry", 14),
        ("QCF_DIPLOMA", "Level 1 Diploma in Vehicle Maintenance", 39),
    ],
    "2": [
        ("QCF_AWARD", "Level 2 Award in Food Safety in Catering", 1),
        ("QCF_CERTIFICATE", "Level 2 Certificate in Understanding Diabetes Care", 15),
        ("QCF_CERTIFICATE", "Level 2 Certificate in Pâtisserie and Confectionery", 26),
        ("QCF_DIPLOMA", "Level 2 Diploma in Electrical Installation", 52),
    ],
    "3": [
        ("QCF_AWARD", "Level 3 Award in Education and Training", 12),
        ("QCF_CERTIFICATE", "Level 3 Certificate in Assessing Vocational Achievement", 15),
        ("QCF_DIPLOMA", "Level 3 Diploma in Children and Young People's Workforce", 65),
        ("QCF_DIPLOMA", "Level 3 Diploma in Professional Cookery", 78),
    ],
    "4": [
        ("QCF_AWARD", "Level 4 Award in the Internal Quality Assurance of Assessment", 6),
        ("QCF_CERTIFICATE", "Level 4 Certificate in Education and Training", 36),
        ("QCF_DIPLOMA", "Level 4 Diploma in Accounting", 95),
    ],
    "5": [
        ("QCF_AWARD", "Level 5 Award in Coaching and Mentoring", 4),
        ("QCF_CERTIFICATE", "Level 5 Certificate in Leadership and Management", 20),
        ("QCF_DIPLOMA", "Level 5 Diploma in Leadership for Health and Social Care", 90),
    ],
    "6": [
        ("QCF_AWARD", "Level 6 Award in Strategic Human Resource Planning", 10),
        ("QCF_CERTIFICATE", "Level 6 Certificate in Construction Site Management", 34),
        ("QCF_DIPLOMA", "Level 6 Diploma in Professional Practice in Construction", 110),
    ],
    "7": [
        ("QCF_AWARD", "Level 7 Award in Strategic Management and Leadership", 8),
        ("QCF_CERTIFICATE", "Level 7 Certificate in Executive Coaching", 22),
        ("QCF_DIPLOMA", "Level 7 Diploma in Strategic Management and Leadership", 120),
    ],
    "8": [
        ("QCF_AWARD", "Level 8 Award in Strategic Direction", 10),
        ("QCF_CERTIFICATE", "Level 8 Certificate in Strategic Direction and Leadership", 21),
        ("QCF_DIPLOMA", "Level 8 Diploma in Research Leadership", 40),
    ],
}
QCF_ORGANISATIONS = ("WVQ", "PTC", "LAP", "ORS", "HCA")


def _qcf() -> list[Q]:
    found: list[Q] = []
    for i, (level, rows) in enumerate(QCF_BY_LEVEL.items()):
        for j, (kind, title, credits) in enumerate(rows):
            organisation = QCF_ORGANISATIONS[(i + j) % len(QCF_ORGANISATIONS)]
            hours = credits * 7
            ends = "2017-12-31" if (i + j) % 3 == 0 else ""
            found.append((kind, level, title, organisation, credits, hours, "2010-09-01", ends))
    return found


OTHERS: list[Q] = [
    ("OTHER", "E2", "Non-regulated ESOL provision at Entry Level", "NONE", None, 60,
     "2013-08-01", ""),
    ("OTHER", "1", "Non-regulated Employability provision, Level 1", "NONE", None, 30,
     "2013-08-01", ""),
    ("OTHER", "2", "Non-regulated Community Learning provision, Level 2", "NONE", None, 40,
     "2013-08-01", ""),
]  # fmt: skip
SERIES = {"GCSE": "601", "GCE_A": "603", "GCE_AS": "603", "FS": "603", "ELC": "601",
          "NVQ": "500", "BTEC": "600", "DIPLOMA_14_19": "500"}  # fmt: skip


def qualification_rows() -> list[list[str]]:
    rows: list[list[str]] = []
    counters: dict[str, int] = {}
    everything = _school_qualifications() + _functional_skills() + _vocational() + _qcf()
    for kind, level, title, org, credits, hours, start, end in [*everything, *OTHERS]:
        series = "Z" if kind == "OTHER" else SERIES.get(kind, "501")
        counters[series] = counters.get(series, 0) + 1
        serial = 1000 + counters[series] * 37
        code = f"Z{serial:07d}" if series == "Z" else f"{series}{serial:05d}"
        lars_level, sub_level = ("E", level[1]) if level.startswith("E") else (level, "")
        rows.append([
            code, title, AIM_TYPES.get(kind, ""), kind, lars_level, sub_level, org,
            ORGANISATIONS[org], "" if credits is None else str(credits),
            "" if hours is None else str(hours), start, end,
        ])  # fmt: skip
    return rows


# Units by sector: awarding organisation, and (level, credits, title) for each unit.
UNITS: dict[str, tuple[str | None, list[tuple[str, int, str]]]] = {
    "Personal progress": (
        "HCA",
        [
            ("E1", 1, "Taking part in a group activity"),
            ("E1", 2, "Making choices about daily activities"),
            ("E1", 1, "Recognising personal safety signs"),
            ("E2", 2, "Using public transport"),
            ("E2", 1, "Preparing a simple snack"),
            ("E2", 3, "Managing personal money"),
            ("E3", 2, "Exploring job opportunities"),
            ("E3", 3, "Preparing for a job interview"),
            ("E3", 2, "Working as part of a team"),
            ("E3", 1, "Understanding personal hygiene at work"),
            ("1", 2, "Planning own learning goals"),
            ("1", 3, "Developing self-confidence and self-esteem"),
        ],
    ),
    "Employability": (
        "ORS",
        [
            ("E2", 1, "Recognising own skills and qualities"),
            ("E3", 1, "Writing a curriculum vitae"),
            ("E3", 2, "Searching for a job"),
            ("1", 1, "Dealing with problems in daily life"),
            ("1", 2, "Customer care skills"),
            ("1", 2, "Health and safety in a work environment"),
            ("2", 2, "Conducting a job search"),
            ("2", 3, "Preparing for work placement"),
            ("2", 2, "Understanding the rights and responsibilities of employees"),
            ("2", 1, "Presenting yourself for interview"),
        ],
    ),
    "Literacy and numeracy": (
        "HCA",
        [
            ("E1", 3, "Reading short texts for information"),
            ("E1", 3, "Counting and ordering whole numbers to 20"),
            ("E2", 3, "Writing short notes and messages"),
            ("E2", 3, "Adding and subtracting money"),
            ("E3", 3, "Reading and following instructions"),
            ("E3", 3, "Using measures of length and weight"),
            ("1", 3, "Writing a formal letter"),
            ("1", 3, "Working with fractions, decimals and percentages"),
            ("2", 3, "Summarising information from several sources"),
            ("2", 3, "Handling and presenting data"),
        ],
    ),
    "Business administration": (
        "WVQ",
        [
            ("1", 2, "Work in a business environment"),
            ("1", 2, "Store and retrieve information"),
            ("1", 1, "Use a telephone system"),
            ("2", 3, "Communicate in a business environment"),
            ("2", 3, "Manage own performance in a business environment"),
            ("2", 4, "Produce documents in a business environment"),
            ("2", 2, "Organise business travel or accommodation"),
            ("3", 4, "Manage information and data in a business environment"),
            ("3", 4, "Organise and coordinate events"),
            ("3", 5, "Contribute to the development and implementation of an information system"),
            ("3", 3, "Negotiate in a business environment"),
            ("4", 5, "Manage an office facility"),
        ],
    ),
    "Customer service": (
        "WVQ",
        [
            ("1", 2, "Give customers a positive impression of yourself and your organisation"),
            ("1", 2, "Follow the rules to deliver customer service"),
            ("2", 5, "Deal with customers face to face"),
            ("2", 3, "Resolve customer service problems"),
            ("2", 3, "Process information about customers"),
            ("3", 5, "Lead a team to improve customer service"),
            ("3", 4, "Develop customer relationships"),
            ("3", 4, "Monitor and solve customer service problems"),
            ("4", 6, "Plan, organise and control customer service operations"),
            ("4", 5, "Manage the use of technology to improve customer service"),
        ],
    ),
    "Health and social care": (
        "LAP",
        [
            ("2", 3, "Introduction to communication in health and social care"),
            ("2", 2, "Introduction to personal development in health and social care"),
            ("2", 3, "Introduction to equality and inclusion in health and social care"),
            ("2", 3, "Principles of safeguarding and protection in health and social care"),
            ("2", 1, "Introduction to duty of care in health and social care"),
            ("2", 4, "Contribute to health and safety in health and social care"),
            ("2", 2, "Handle information in health and social care settings"),
            ("3", 3, "Promote communication in health and social care settings"),
            ("3", 3, "Promote person-centred approaches in health and social care"),
            ("3", 4, "Promote and implement health and safety in health and social care"),
            ("3", 6, "Understand the process and experience of dementia"),
            ("3", 5, "Administer medication to individuals"),
            ("5", 6, "Lead and manage a team within a health and social care setting"),
            ("5", 4, "Develop professional supervision practice"),
        ],
    ),
    "Children and young people": (
        "LAP",
        [
            ("2", 2, "Child and young person development"),
            ("2", 3, "Contribute to children and young people's health and safety"),
            ("2", 3, "Support children and young people's positive behaviour"),
            ("3", 4, "Understand child and young person development"),
            ("3", 3, "Promote equality and inclusion in work with children and young people"),
            ("3", 4, "Promote learning and development in the early years"),
            ("3", 5, "Work with babies and young children to promote their development"),
            ("3", 4, "Support children's speech, language and communication"),
            ("4", 6, "Lead practice in promoting the safeguarding of children"),
            ("5", 6, "Lead and manage practice that supports positive outcomes for children"),
        ],
    ),
    "Hospitality and catering": (
        "ORS",
        [
            ("1", 1, "Food safety in catering"),
            ("1", 2, "Prepare vegetables for basic dishes"),
            ("1", 3, "Prepare and cook basic pasta dishes"),
            ("1", 2, "Serve food at table"),
            ("2", 4, "Prepare, cook and finish basic hot sauces"),
            ("2", 5, "Prepare, cook and finish basic bread and dough products"),
            ("2", 4, "Prepare and present food for cold presentation"),
            ("2", 3, "Prepare and serve espresso-based coffee"),
            ("3", 6, "Prepare, cook and finish complex fish dishes"),
            ("3", 6, "Produce petits fours and pâtisserie"),
            ("3", 5, "Supervise food safety in catering"),
        ],
    ),
    "Construction": (
        "PTC",
        [
            ("1", 3, "Health, safety and welfare in construction"),
            ("1", 4, "Set out and build basic masonry structures"),
            ("1", 3, "Prepare and mix concrete and mortars"),
            ("2", 5, "Construct masonry cavity walling"),
            ("2", 4, "Erect and dismantle access equipment"),
            ("2", 6, "Install first fixing components"),
            ("2", 6, "Install second fixing components"),
            ("3", 8, "Construct complex masonry structures"),
            ("3", 6, "Set out and erect timber roof structures"),
            ("4", 9, "Construction technology and design"),
            ("5", 15, "Project management for construction"),
            ("6", 15, "Contract procedures and the law in construction"),
        ],
    ),
    "Electrical and engineering": (
        "PTC",
        [
            ("1", 3, "Working safely in an engineering environment"),
            ("1", 4, "Using hand tools to produce engineered components"),
            ("2", 7, "Understand electrical installation systems"),
            ("2", 6, "Install wiring systems and enclosures"),
            ("2", 5, "Understand the principles of electrical science"),
            ("3", 9, "Inspect, test and commission electrical systems"),
            ("3", 8, "Fault diagnosis and rectification of electrical systems"),
            ("3", 10, "Mathematics for engineering technicians"),
            ("4", 15, "Analytical methods for engineers"),
            ("4", 15, "Engineering design"),
            ("5", 15, "Advanced electrical machines and drives"),
            ("6", 20, "Engineering project management"),
        ],
    ),
    "Motor vehicle": (
        "PTC",
        [
            ("1", 4, "Routine vehicle maintenance"),
            ("1", 4, "Remove and replace vehicle wheels and tyres"),
            ("1", 3, "Identify vehicle engine components"),
            ("2", 6, "Light vehicle engine mechanical, lubrication and cooling system units"),
            ("2", 5, "Light vehicle chassis units and components"),
            ("2", 5, "Light vehicle electrical units and components"),
            ("3", 8, "Diagnosis and rectification of light vehicle engine faults"),
            ("3", 8, "Diagnosis and rectification of light vehicle transmission faults"),
        ],
    ),
    "Information technology": (
        "ORS",
        [
            ("E3", 2, "Using the internet safely"),
            ("E3", 2, "Using email"),
            ("1", 3, "Word processing software"),
            ("1", 3, "Spreadsheet software"),
            ("1", 2, "IT security for users"),
            ("2", 4, "Database software"),
            ("2", 4, "Presentation software"),
            ("2", 3, "Using collaborative technologies"),
            ("3", 6, "Spreadsheet software for analysis and modelling"),
            ("3", 5, "Website software"),
            ("3", 10, "Principles of software development"),
            ("4", 15, "Systems analysis and design"),
            ("5", 15, "Network security management"),
        ],
    ),
    "Hair and beauty": (
        "WVQ",
        [
            ("1", 3, "Assist with shampooing and conditioning hair"),
            ("1", 2, "Prepare and maintain work areas for hair services"),
            ("2", 5, "Cut hair using basic techniques"),
            ("2", 6, "Colour and lighten hair"),
            ("2", 4, "Provide eyelash and eyebrow treatments"),
            ("2", 5, "Provide manicure services"),
            ("3", 8, "Creatively cut hair using a combination of techniques"),
            ("3", 7, "Provide body massage"),
        ],
    ),
    "Retail and warehousing": (
        "HCA",
        [
            ("1", 2, "Help to keep the retail unit secure"),
            ("1", 3, "Receive goods into a warehouse"),
            ("2", 3, "Maintain the availability of goods for sale to customers"),
            ("2", 4, "Process customer payments"),
            ("2", 3, "Pick goods for dispatch"),
            ("2", 4, "Operate a counterbalance lift truck"),
            ("3", 5, "Manage stock levels in a retail store"),
            ("3", 5, "Supervise warehouse operations"),
        ],
    ),
    "Teaching and assessment": (
        "LAP",
        [
            ("3", 3, "Understanding roles, responsibilities and relationships in education"),
            ("3", 3, "Understanding and using inclusive teaching and learning approaches"),
            ("3", 3, "Understanding assessment in education and training"),
            ("3", 6, "Assess occupational competence in the work environment"),
            ("4", 6, "Internally assure the quality of assessment"),
            ("4", 15, "Teaching, learning and assessment in education and training"),
            ("5", 20, "Developing teaching, learning and assessment in education and training"),
            ("5", 20, "Theories, principles and models in education and training"),
            ("6", 20, "Action research in education"),
            ("7", 20, "Leading curriculum change in further education"),
        ],
    ),
    "Accounting and finance": (
        "WVQ",
        [
            ("2", 5, "Basic accounting principles"),
            ("2", 4, "Processing bookkeeping transactions"),
            ("3", 6, "Preparing final accounts for sole traders and partnerships"),
            ("3", 5, "Indirect tax"),
            ("4", 8, "Budgeting and cost management"),
            ("4", 8, "Financial statements of limited companies"),
            ("6", 15, "Corporate finance and investment appraisal"),
            ("7", 15, "Strategic financial management"),
        ],
    ),
    "Leadership and management": (
        "ORS",
        [
            ("2", 3, "Principles of team leading"),
            ("3", 4, "Manage individuals' performance"),
            ("3", 3, "Principles of leadership and management"),
            ("4", 5, "Develop working relationships with colleagues and stakeholders"),
            ("5", 6, "Managing change in an organisation"),
            ("5", 5, "Principles of managing a budget"),
            ("6", 10, "Strategic human resource management"),
            ("6", 10, "Managing quality and continuous improvement"),
            ("7", 15, "Developing and implementing organisational strategy"),
            ("7", 15, "Strategic leadership practice"),
            ("8", 20, "Developing and evaluating strategic direction"),
            ("8", 20, "Leading research and innovation in organisations"),
            ("8", 15, "Strategic leadership of complex organisations"),
        ],
    ),
    "Sport and active leisure": (
        None,
        [
            ("1", 2, "Assisting in sports activities"),
            ("2", 3, "Anatomy and physiology for exercise"),
            ("2", 3, "Health and safety in a sport and active leisure environment"),
            ("3", 6, "Planning and instructing gym-based exercise"),
            ("3", 5, "Principles of exercise, fitness and health"),
            ("4", 10, "Sports coaching pedagogy"),
        ],
    ),
}
UNIT_LETTERS = "ADFHJKLMRTY"


def unit_rows() -> list[list[str]]:
    rows: list[list[str]] = []
    for s, (organisation, units) in enumerate(UNITS.values()):
        series = 500 + s % 9 if s % 2 == 0 else 600 + s % 19
        for u, (level, credits, title) in enumerate(units):
            letter = UNIT_LETTERS[(s * 7 + u * 3) % len(UNIT_LETTERS)]
            code = f"{letter}/{series}/{(1000 + s * 311 + u * 97) % 9000 + 1000:04d}"
            hours = credits * 8 if credits < 10 else credits * 6
            ends = "2017-12-31" if (s + u) % 5 == 0 else ""
            rows.append([
                code, title, level, str(credits), str(hours), organisation or "",
                ORGANISATIONS[organisation] if organisation else "", "2010-09-01", ends,
            ])  # fmt: skip
    return rows


def _csv(columns: tuple[str, ...], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue()


def main() -> None:
    qualifications = qualification_rows()
    units = unit_rows()
    for name, rows in (("qualifications", qualifications), ("units", units)):
        codes = [r[0] for r in rows]
        assert len(codes) == len(set(codes)), f"duplicate {name} codes"
    (DATA / "catalogue_qualifications.csv").write_text(
        _csv(QUALIFICATION_COLUMNS, qualifications), encoding="utf-8"
    )
    (DATA / "catalogue_units.csv").write_text(_csv(UNIT_COLUMNS, units), encoding="utf-8")
    print(f"{len(qualifications)} qualifications and {len(units)} units written to {DATA}")


if __name__ == "__main__":
    main()
