"""What Riverbend County's system of care is made of: agencies, teams, roles and sizes.

The shape of the demo network, kept apart from the code that staffs it
(:mod:`bridgework.datasets.demo`) so it can be read and extended as a description: add an
agency or a team here and the generator staffs it. Everything is fictional; the structure
follows a typical US county system of care around family reunification, where child welfare
and behavioural health are the largest partners and community providers are small.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ORGANISATIONS", "TOWNS", "WORKGROUPS", "OrganisationSpec", "RoleSpec", "TeamSpec"]

#: Towns of Riverbend County; the county seat first.
TOWNS = ("Riverbend", "Millbrook", "Cedar Falls", "Port Alder", "Eastvale")

#: Workgroups: roles in the family-reunification process, shared across agencies.
WORKGROUPS: tuple[tuple[str, str], ...] = (
    (
        "Case planners",
        "Social workers who hold a family's case plan from removal to reunification.",
    ),
    (
        "Clinicians",
        "Therapists and clinical social workers assessing and treating children and parents.",
    ),
    (
        "Psychiatric prescribers",
        "Psychiatrists and nurse practitioners who assess and manage medication.",
    ),
    (
        "Probation officers",
        "Officers supervising young people on juvenile probation and their case plans.",
    ),
    (
        "School counsellors",
        "Counsellors, school psychologists and school social workers supporting students.",
    ),
    (
        "Public health nurses",
        "Nurses who visit families at home and coordinate health care for children in care.",
    ),
    (
        "Peer and family partners",
        "Staff with lived experience who walk alongside parents and youth.",
    ),
    ("Family support workers", "Parent educators, family advocates and community health workers."),
    ("Supervisors and managers", "People who lead teams and sign off decisions in every agency."),
    (
        "Court liaisons",
        "Staff who carry reports and information between the agencies and the court.",
    ),
    ("Court staff", "Clerks, mediators and bench officers of the juvenile and family court."),
    ("Care coordinators", "Wraparound facilitators who convene child and family team meetings."),
    (
        "Intake screeners",
        "Hotline and access-line staff who screen referrals and decide the first response.",
    ),
    ("Youth mentors", "Mentors who build steady one-to-one relationships with young people."),
    ("Housing navigators", "Staff who find and keep housing so that families can reunify."),
)


@dataclass(frozen=True)
class RoleSpec:
    """People of one workgroup in a team: their job titles and relative number."""

    workgroup: str
    titles: tuple[str, ...]
    weight: float = 1.0


@dataclass(frozen=True)
class TeamSpec:
    """A team: its relative size within the organisation, its manager's title, its roles."""

    name: str
    weight: float
    manager_title: str
    roles: tuple[RoleSpec, ...]


@dataclass(frozen=True)
class OrganisationSpec:
    """An organisation: identity, headcount (director included), offices and teams."""

    name: str
    short_name: str
    kind: str
    description: str
    domain: str
    headcount: int
    director_title: str
    towns: tuple[str, ...]
    town_weights: tuple[float, ...]
    teams: tuple[TeamSpec, ...]


def _role(workgroup: str, *titles: str, weight: float = 1.0) -> RoleSpec:
    return RoleSpec(workgroup, titles, weight)


ORGANISATIONS: tuple[OrganisationSpec, ...] = (
    OrganisationSpec(
        "Riverbend County Child and Family Services",
        "CFS",
        "child welfare",
        "The county's child welfare agency: hotline, investigations, family reunification "
        "and permanency.",
        "riverbend-cfs.example",
        70,
        "Director of Child and Family Services",
        ("Riverbend", "Millbrook", "Eastvale"),
        (6, 3, 1),
        (
            TeamSpec(
                "Hotline and Intake",
                10,
                "Intake Supervisor",
                (_role("Intake screeners", "Hotline Screener", "Intake Social Worker"),),
            ),
            TeamSpec(
                "Emergency Response",
                14,
                "Emergency Response Supervisor",
                (_role("Case planners", "Emergency Response Social Worker", "Social Worker III"),),
            ),
            TeamSpec(
                "Family Reunification",
                22,
                "Social Work Supervisor",
                (
                    _role("Case planners", "Social Worker II", "Social Worker III", weight=5),
                    _role("Peer and family partners", "Parent Partner"),
                ),
            ),
            TeamSpec(
                "Permanency and Adoptions",
                12,
                "Permanency Supervisor",
                (_role("Case planners", "Permanency Social Worker", "Adoptions Social Worker"),),
            ),
            TeamSpec(
                "Court Services",
                8,
                "Court Services Supervisor",
                (_role("Court liaisons", "Court Officer", "Court Report Writer"),),
            ),
        ),
    ),
    OrganisationSpec(
        "Riverbend County Behavioral Health",
        "RCBH",
        "behavioural health",
        "Mental health and substance use services for children, youth and parents.",
        "riverbend-bh.example",
        62,
        "Behavioral Health Director",
        ("Riverbend", "Cedar Falls", "Port Alder"),
        (5, 3, 2),
        (
            TeamSpec(
                "Children's Outpatient Clinic",
                20,
                "Clinical Supervisor",
                (
                    _role(
                        "Clinicians",
                        "Marriage and Family Therapist",
                        "Licensed Clinical Social Worker",
                        weight=4,
                    ),
                    _role(
                        "Psychiatric prescribers",
                        "Child Psychiatrist",
                        "Psychiatric Nurse Practitioner",
                    ),
                ),
            ),
            TeamSpec(
                "Wraparound and Care Coordination",
                16,
                "Wraparound Program Manager",
                (
                    _role(
                        "Care coordinators", "Wraparound Facilitator", "Care Coordinator", weight=3
                    ),
                    _role(
                        "Peer and family partners",
                        "Family Partner",
                        "Youth Peer Advocate",
                        weight=2,
                    ),
                ),
            ),
            TeamSpec(
                "Access and Crisis",
                12,
                "Access Services Supervisor",
                (
                    _role("Intake screeners", "Access Line Clinician", weight=2),
                    _role("Clinicians", "Crisis Clinician", "Mobile Crisis Clinician"),
                ),
            ),
            TeamSpec(
                "Substance Use Services",
                12,
                "Substance Use Program Manager",
                (
                    _role(
                        "Clinicians",
                        "Substance Use Counselor",
                        "Alcohol and Drug Counselor II",
                        weight=3,
                    ),
                    _role("Care coordinators", "Recovery Case Manager"),
                ),
            ),
        ),
    ),
    OrganisationSpec(
        "Riverbend County Probation Department",
        "Probation",
        "probation",
        "Juvenile probation: intake, supervision, placement and re-entry.",
        "riverbend-probation.example",
        32,
        "Chief Probation Officer",
        ("Riverbend", "Millbrook"),
        (3, 1),
        (
            TeamSpec(
                "Juvenile Intake and Investigations",
                7,
                "Supervising Probation Officer",
                (
                    _role("Probation officers", "Deputy Probation Officer II"),
                    _role("Intake screeners", "Probation Intake Officer"),
                ),
            ),
            TeamSpec(
                "Juvenile Field Supervision",
                12,
                "Supervising Probation Officer",
                (
                    _role(
                        "Probation officers",
                        "Deputy Probation Officer II",
                        "Deputy Probation Officer III",
                    ),
                ),
            ),
            TeamSpec(
                "Placement and Re-entry",
                7,
                "Placement Unit Supervisor",
                (
                    _role("Probation officers", "Placement Officer", weight=2),
                    _role("Care coordinators", "Re-entry Coordinator"),
                ),
            ),
            TeamSpec(
                "Court Unit",
                4,
                "Court Unit Supervisor",
                (_role("Court liaisons", "Probation Court Officer"),),
            ),
        ),
    ),
    OrganisationSpec(
        "Riverbend County Public Health",
        "Public Health",
        "public health",
        "Nurse home visiting and health care coordination for children and families.",
        "riverbend-ph.example",
        30,
        "Director of Public Health Nursing",
        ("Riverbend", "Port Alder", "Eastvale"),
        (3, 1, 1),
        (
            TeamSpec(
                "Nurse Home Visiting",
                11,
                "Supervising Public Health Nurse",
                (
                    _role(
                        "Public health nurses",
                        "Public Health Nurse",
                        "Nurse Home Visitor",
                        weight=3,
                    ),
                    _role("Family support workers", "Community Health Worker"),
                ),
            ),
            TeamSpec(
                "Health Care for Children in Foster Care",
                8,
                "Nurse Manager",
                (_role("Public health nurses", "Foster Care Public Health Nurse"),),
            ),
            TeamSpec(
                "Maternal, Child and Adolescent Health",
                8,
                "Program Manager",
                (
                    _role("Family support workers", "Community Health Worker", "Health Educator"),
                    _role("Public health nurses", "Public Health Nurse"),
                ),
            ),
        ),
    ),
    OrganisationSpec(
        "Riverbend Unified School District",
        "RUSD",
        "education",
        "The county's largest school district: student support, special education and "
        "foster youth services.",
        "riverbend-usd.example",
        38,
        "Director of Student Support Services",
        ("Riverbend", "Millbrook", "Cedar Falls", "Eastvale"),
        (4, 2, 2, 1),
        (
            TeamSpec(
                "Student Support Services",
                14,
                "Coordinator of Counseling Services",
                (_role("School counsellors", "School Counselor", "School Social Worker"),),
            ),
            TeamSpec(
                "Foster Youth Services",
                5,
                "Foster Youth Services Coordinator",
                (
                    _role("School counsellors", "Foster Youth Education Liaison"),
                    _role("Care coordinators", "Educational Case Manager"),
                ),
            ),
            TeamSpec(
                "Special Education",
                9,
                "Special Education Program Manager",
                (
                    _role("School counsellors", "School Psychologist"),
                    _role("Clinicians", "Educationally Related Mental Health Clinician"),
                ),
            ),
            TeamSpec(
                "Attendance and Family Engagement",
                6,
                "Family Engagement Manager",
                (
                    _role(
                        "Family support workers",
                        "Family Engagement Specialist",
                        "Attendance Specialist",
                    ),
                ),
            ),
        ),
    ),
    OrganisationSpec(
        "Riverbend Family Resource Center",
        "FRC",
        "community provider",
        "A community provider offering parenting classes, peer support and help with basic needs.",
        "riverbend-frc.example",
        22,
        "Executive Director",
        ("Millbrook", "Riverbend"),
        (2, 1),
        (
            TeamSpec(
                "Parent Education and Support",
                8,
                "Program Manager",
                (_role("Family support workers", "Parent Educator", "Family Advocate"),),
            ),
            TeamSpec(
                "Parent Partners",
                6,
                "Peer Support Supervisor",
                (_role("Peer and family partners", "Parent Partner", "Peer Family Partner"),),
            ),
            TeamSpec(
                "Basic Needs and Benefits",
                5,
                "Basic Needs Coordinator",
                (
                    _role("Family support workers", "Benefits Navigator"),
                    _role("Housing navigators", "Housing Resource Specialist"),
                ),
            ),
        ),
    ),
    OrganisationSpec(
        "Northstar Youth Mentoring",
        "Northstar",
        "community provider",
        "A charity pairing young people in care or on probation with trained adult mentors.",
        "northstar-mentoring.example",
        16,
        "Executive Director",
        ("Riverbend", "Port Alder"),
        (2, 1),
        (
            TeamSpec(
                "Community Mentoring",
                8,
                "Mentoring Program Manager",
                (_role("Youth mentors", "Youth Mentor", "Senior Youth Mentor"),),
            ),
            TeamSpec(
                "Credible Messengers",
                5,
                "Credible Messenger Supervisor",
                (
                    _role("Youth mentors", "Credible Messenger Mentor"),
                    _role("Peer and family partners", "Youth Peer Advocate"),
                ),
            ),
        ),
    ),
    OrganisationSpec(
        "Riverbend County Superior Court, Juvenile and Family Division",
        "Juvenile Court",
        "court",
        "Hears dependency and delinquency matters and runs family court services.",
        "riverbend-court.example",
        18,
        "Juvenile Court Executive Officer",
        ("Riverbend",),
        (1,),
        (
            TeamSpec(
                "Dependency Court",
                7,
                "Courtroom Operations Supervisor",
                (_role("Court staff", "Courtroom Clerk", "Judicial Assistant", "Commissioner"),),
            ),
            TeamSpec(
                "Family Court Services",
                5,
                "Family Court Services Manager",
                (
                    _role(
                        "Court staff",
                        "Family Court Mediator",
                        "Child Custody Recommending Counselor",
                    ),
                ),
            ),
            TeamSpec(
                "Court Appointed Special Advocates",
                4,
                "CASA Program Manager",
                (_role("Court liaisons", "CASA Advocate Supervisor", "Volunteer Coordinator"),),
            ),
        ),
    ),
    OrganisationSpec(
        "Open Door Housing Collaborative",
        "Open Door",
        "housing",
        "Finds, funds and keeps housing for families reunifying and for youth leaving care.",
        "opendoor-housing.example",
        12,
        "Executive Director",
        ("Riverbend", "Eastvale"),
        (2, 1),
        (
            TeamSpec(
                "Family Housing Navigation",
                6,
                "Housing Program Manager",
                (_role("Housing navigators", "Housing Navigator", "Housing Specialist"),),
            ),
            TeamSpec(
                "Transition-Age Youth Housing",
                4,
                "Youth Housing Coordinator",
                (
                    _role("Housing navigators", "Youth Housing Navigator"),
                    _role("Youth mentors", "Independent Living Coach"),
                ),
            ),
        ),
    ),
)
