"""Writes ontology/product_org_ladders.ttl: role ladders (track and level of every role), the roles the seed text
does not name, and the facts taken from public career frameworks and job families, each with its source.

The facts are typed here in the ontology's own words; each names the line(s) of a licensed public document that
say it. The script looks each quote up in its document (so line numbers are right and every quote is verbatim)
and stops if one is missing. Documents are read from the shared real-data folder (the career ladders) and from a
local mirror of the GitLab handbook (job families), given with --gitlab.

    python scripts/build_ladders.py --gitlab /work/.mirror/explodinggradients+notes/repo
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "ontology" / "product_org_ladders.ttl"
LADDERS = ROOT.parent / "shared" / "realdata" / "ladders"
RETRIEVED = "2026-12-01"
MIT = "https://opensource.org/licenses/MIT"
APACHE = "https://www.apache.org/licenses/LICENSE-2.0"
CC_BY_SA = "https://creativecommons.org/licenses/by-sa/4.0/"
GITLAB_COMMIT = "2923db7f846f41ce55361c184189cbb8c96020a7"
GITLAB_DIR = "RAG-Experiments/gitlab-handbook/data/job-families/"


@dataclass(frozen=True)
class Doc:
    key: str
    title: str
    identifier: str  # repository@commit:path
    url: str
    license: str
    path: str  # where the script reads it: ladders/<rel> or gitlab:<rel>


def _gl(key: str, title: str, rel: str) -> Doc:
    return Doc(key, f"GitLab handbook, job family: {title}",
               f"gitlab-com/www-gitlab-com (as mirrored in explodinggradients/notes@{GITLAB_COMMIT[:7]}):"
               f"{GITLAB_DIR}{rel}",
               "https://handbook.gitlab.com/job-families/" + rel.removesuffix(".md").removesuffix("/_index"),
               CC_BY_SA, "gitlab:" + rel)


DOCS = [
    Doc("monzo-product", "Monzo Product Framework (progression framework)",
        "monzo/progression-framework@689e622:frameworks/product.md",
        "https://github.com/monzo/progression-framework", MIT, "ladders/monzo/product.md"),
    Doc("jorgef-readme", "Engineering Ladders: introduction (Jorge Fioranelli)",
        "jorgef/engineeringladders@6055355:README.md", "https://github.com/jorgef/engineeringladders", APACHE,
        "ladders/jorgef-engineeringladders/README.md"),
    Doc("jorgef-tl-em", "Engineering Ladders: Tech Lead vs Engineering Manager (Jorge Fioranelli)",
        "jorgef/engineeringladders@6055355:TechLead-EngineeringManager.md",
        "https://github.com/jorgef/engineeringladders/blob/master/TechLead-EngineeringManager.md", APACHE,
        "ladders/jorgef-engineeringladders/TechLead-EngineeringManager.md"),
    Doc("jorgef-developer", "Engineering Ladders: Developer (Jorge Fioranelli)",
        "jorgef/engineeringladders@6055355:Developer.md",
        "https://github.com/jorgef/engineeringladders/blob/master/Developer.md", APACHE,
        "ladders/jorgef-engineeringladders/Developer.md"),
    Doc("ft-engineering", "Financial Times engineering competencies (job family: Engineering)",
        "Financial-Times/engineering-progression@d54616e:data/job-families/engineering.yml",
        "https://github.com/Financial-Times/engineering-progression", MIT,
        "ladders/ft-engineering-progression/engineering.yml"),
    Doc("scrum-guide", "The Scrum Guide (November 2020), Ken Schwaber and Jeff Sutherland",
        "scrumguides.org: The 2020 Scrum Guide, section 'Product Owner'",
        "https://scrumguides.org/scrum-guide.html#product-owner", CC_BY_SA, "scrum-guide"),
    _gl("gl-pm", "Product Manager", "product/product-manager.md"),
    _gl("gl-pml", "Product Management - Leadership", "product/product-management-leadership.md"),
    _gl("gl-cpo", "Chief Product Officer", "product/chief-product-officer.md"),
    _gl("gl-analyst", "Product Analyst", "product/product-analyst.md"),
    _gl("gl-designer", "Product Designer", "product/product-designer.md"),
    _gl("gl-design-mgmt", "Product Design Management", "product/product-design-management.md"),
    _gl("gl-product-leadership", "Product Leadership (VP of UX)", "product/product-leadership.md"),
    _gl("gl-uxr", "UX Researcher", "product/ux-researcher.md"),
    _gl("gl-em", "Engineering Manager (Development)", "engineering/development/management/engineering-manager.md"),
    _gl("gl-eng-director", "Director, Engineering (Development)", "engineering/development/management/director.md"),
    _gl("gl-eng-vp", "VP, Development", "engineering/development/management/vp.md"),
    _gl("gl-eng-mgmt", "Engineering Management", "engineering/engineering-management.md"),
    _gl("gl-principal", "Principal Engineer", "engineering/development/management/principal-engineer.md"),
    _gl("gl-backend-senior", "Backend Engineer, Senior", "engineering/development/backend/senior.md"),
    _gl("gl-backend-staff", "Backend Engineer, Staff", "engineering/development/backend/staff.md"),
    _gl("gl-backend", "Backend Engineer (Intermediate)", "engineering/development/backend/intermediate.md"),
    _gl("gl-security", "Security Engineer", "security/security-engineer.md"),
    _gl("gl-ciso", "Chief Information Security Officer", "chief-information-security-officer.md"),
    _gl("gl-ceo", "Chief Executive Officer", "chief-executive-officer/_index.md"),
    _gl("gl-procurement", "Procurement Operations", "finance/procurement-operations.md"),
    _gl("gl-pmm", "Product Marketing Manager", "marketing/product-marketing-manager.md"),
]
DOC_BY_KEY = {d.key: d for d in DOCS}

# The 2020 Scrum Guide is not a file here: its sentences, in order (CC BY-SA 4.0, quoted with attribution).
SCRUM_GUIDE = [
    "The Product Owner is accountable for maximizing the value of the product resulting from the work of the "
    "Scrum Team.",
    "The Product Owner is also accountable for effective Product Backlog management, which includes:",
    "Developing and explicitly communicating the Product Goal;",
    "Creating and clearly communicating Product Backlog items;",
    "Ordering Product Backlog items; and,",
    "Ensuring that the Product Backlog is transparent, visible and understood.",
    "The Product Owner is one person, not a committee.",
]

# --- levels and tracks ---------------------------------------------------------------------------------------

LEVELS = [  # (local name, rank, label, definition)
    ("LevelEntry", 1, "Entry", "Early-career roles that learn the craft with guidance (associate, junior)."),
    ("LevelIntermediate", 2, "Intermediate", "Fully fledged practitioners who work on their own within a team."),
    ("LevelSenior", 3, "Senior", "Experts of their area who work with little guidance and mentor others."),
    ("LevelStaff", 4, "Staff / lead", "Leads of a team's work or of its people: staff engineers, tech leads, "
     "first-line managers."),
    ("LevelPrincipal", 5, "Principal", "Individual contributors whose impact spans several teams, and the "
     "owners of whole portfolios."),
    ("LevelDirector", 6, "Director", "Managers of managers for an area of the organization."),
    ("LevelHead", 7, "Head of function", "Leaders of a whole function of the organization (head of product, of "
     "engineering, of design, of procurement)."),
    ("LevelVicePresident", 8, "Vice president", "Executives who lead a function across the company, below the "
     "chief officer."),
    ("LevelChiefOfficer", 9, "Chief officer", "Members of the executive team who own a function (CPO, CTO, "
     "CISO)."),
    ("LevelChiefExecutive", 10, "Chief executive", "The head of the whole company."),
]
LEVEL_BY_RANK = {rank: name for name, rank, _l, _d in LEVELS}
IC, MGR = "IndividualContributorTrack", "ManagementTrack"

# --- roles ---------------------------------------------------------------------------------------------------
# (local name, track, rank, None for a role of product_org.ttl | (label, alt labels, families, definition))
ROLES: list[tuple[str, str, int, tuple[str, list[str], list[str], str] | None]] = [
    ("AssociateProductManager", IC, 1, ("Associate Product Manager", ["APM", "Junior Product Manager"],
     ["ProductManagementFamily"], "An entry-level product manager who learns the craft on part of a product, "
                                  "with guidance from a more experienced product manager.")),
    ("ProductManager", IC, 2, None),
    ("SeniorProductManager", IC, 3, None),
    ("PrincipalProductManager", IC, 5, ("Principal Product Manager", ["Principal PM", "Staff Product Manager"],
     ["ProductManagementFamily"], "A senior individual-contributor product manager who owns a domain that spans "
                                  "several product areas and coaches other product managers.")),
    ("GroupProductManager", MGR, 4, None),
    ("ProductDirector", MGR, 6, None),
    ("HeadOfProduct", MGR, 7, None),
    ("VPOfProduct", MGR, 8, None),
    ("ChiefProductOfficer", MGR, 9, None),
    ("ProductOwner", IC, 2, None),
    ("PortfolioOwner", IC, 5, None),
    ("TechnicalProductManager", IC, 2, ("Technical Product Manager", ["Technical PM"],
     ["ProductManagementFamily"], "A product manager for a technical product (a platform, an API, developer "
                                  "tools), whose users are often engineers.")),
    ("ProductOperationsManager", IC, 3, ("Product Operations Manager", ["Product Ops Manager",
     "Product Operations Lead"], ["ProductManagementFamily"], "Runs the processes, tools and data that product "
                                                              "managers work with, so they can focus on products.")),
    ("ProductAnalyst", IC, 2, ("Product Analyst", ["Product Data Analyst"], ["ProductManagementFamily"],
     "Analyses how products are used and how customers behave, and turns the data into insights for product "
     "decisions.")),
    ("SoftwareEngineer", IC, 2, None),
    ("SeniorSoftwareEngineer", IC, 3, ("Senior Software Engineer", ["Senior Developer", "Senior Engineer",
     "Senior Software Developer", "Senior Backend Engineer", "Senior Frontend Engineer"], ["EngineeringFamily"],
     "An experienced software engineer who solves problems of high scope on their own and mentors less "
     "experienced engineers.")),
    ("StaffEngineer", IC, 4, ("Staff Engineer", ["Staff Software Engineer", "Staff Backend Engineer",
     "Staff Frontend Engineer"], ["EngineeringFamily"], "A senior individual contributor who solves the team's "
                                                        "hardest technical problems and shapes its long-range "
                                                        "technical goals.")),
    ("PrincipalEngineer", IC, 5, ("Principal Engineer", ["Principal Software Engineer"], ["EngineeringFamily"],
     "A recognized technical expert whose work and influence span several teams of a department.")),
    ("TechLead", IC, 4, ("Tech Lead", ["Technical Lead", "Dev Lead", "Lead Developer", "Lead Engineer",
     "Lead Software Engineer"], ["EngineeringFamily"], "Owns a team's system: balances hands-on development, "
                                                       "architecture and production support, while the "
                                                       "engineering manager looks after the people.")),
    ("EngineeringManager", MGR, 4, None),
    ("DirectorOfEngineering", MGR, 6, None),
    ("HeadOfEngineering", MGR, 7, ("Head of Engineering", ["Head of Software Engineering", "Head of Development"],
     ["EngineeringFamily"], "Leads the whole engineering function of an organization or business line.")),
    ("VPOfEngineering", MGR, 8, ("VP of Engineering", ["VP Engineering", "Vice President of Engineering",
     "VP, Engineering", "VP of Development", "VP, Development", "Vice President, Engineering"],
     ["EngineeringFamily"], "The engineering executive below the CTO who leads the engineering organization's "
                            "people, delivery and quality.")),
    ("ChiefTechnologyOfficer", MGR, 9, None),
    ("ProductDesigner", IC, 2, None),
    ("UXResearcher", IC, 2, ("UX Researcher", ["User Researcher", "User Experience Researcher",
     "UX Research Specialist"], ["DesignFamily"], "Studies users, their needs and workflows with qualitative and "
                                                  "quantitative research, and shares insights that shape products.")),
    ("HeadOfDesign", MGR, 7, ("Head of Design", ["Head of Product Design", "Head of UX", "Design Director",
     "Director of Design", "Head of User Experience", "VP of UX",
     "Vice President of UX", "VP of Design"], ["DesignFamily"], "Leads the designers and researchers of "
                                                                         "an organization and sets its design "
                                                                         "vision and standards.")),
    ("ProductMarketingManager", IC, 2, None),
    ("SecurityEngineer", IC, 2, None),
    ("ChiefInformationSecurityOfficer", MGR, 9, ("Chief Information Security Officer", ["CISO",
     "Chief Security Officer"], ["SecurityFamily", "ExecutiveFamily"], "The chief officer who sets the "
                                                                         "organization's security vision, strategy "
                                                                         "and programme and keeps its information "
                                                                         "assets protected.")),
    ("ChiefProductSecurityOfficer", MGR, 9, None),
    ("Buyer", IC, 2, ("Buyer", ["Purchasing Agent", "Procurement Buyer", "Purchasing Officer", "Procurement Specialist",
     "Procurement Officer"], ["ProcurementFamily"], "Buys goods and services for the organization: raises and "
                                                     "follows orders and works with suppliers day to day.")),
    ("ProcurementManager", MGR, 4, None),
    ("HeadOfProcurement", MGR, 7, None),
    ("ChiefExecutiveOfficer", MGR, 10, None),
]

# --- responsibilities and knowledge areas (concepts new in this file) ----------------------------------------
# (local name, kind, label, alt labels, definition)
CONCEPTS: list[tuple[str, str, str, list[str], str]] = [
    ("ProductBacklogManagement", "Responsibility", "Managing the product backlog", ["backlog",
     "product backlog", "backlog management", "ordering the backlog"],
     "Creating the items of the product backlog, ordering them and keeping the backlog transparent and "
     "understood by the team."),
    ("CommunicatingProductGoal", "Responsibility", "Developing and communicating the product goal",
     ["product goal"], "Working out the product's next goal and making it explicit to the team."),
    ("MaximizingProductValue", "Responsibility", "Maximizing the value of the product", ["product value"],
     "Making what the team builds worth as much as possible to customers and the business."),
    ("UnderstandingUserProblems", "Responsibility", "Understanding users' problems", ["user problems",
     "customer problems", "user needs"], "Finding out, from users and customers, which problems they have and "
                                         "which are worth solving."),
    ("DefiningRequirements", "Responsibility", "Defining requirements for solutions", ["requirements",
     "product requirements"], "Saying what a solution must do for users, so a team can build it."),
    ("EnsuringBusinessViability", "Responsibility", "Ensuring the product is viable for the business",
     ["business viability", "pricing"], "Making sure the product earns its keep: priorities, pricing tiers and "
                                        "what is sold."),
    ("PrioritizingProductWork", "Responsibility", "Prioritizing the product work", ["prioritization",
     "prioritisation", "roadmap priorities"], "Choosing what the team works on first."),
    ("ProductVisionAndRoadmap", "Responsibility", "Turning the product vision into a roadmap", ["vision",
     "roadmap", "product vision"], "Setting where a product area is going and laying out the steps on a roadmap."),
    ("CrossDomainProductLeadership", "Responsibility", "Leading a product domain across areas",
     ["domain expertise"], "Owning a product domain that spans several groups or stages, as its expert."),
    ("BuildingAProductTeam", "Responsibility", "Hiring and building the team", ["hiring", "recruiting",
     "headcount planning", "team building"], "Recruiting, hiring and keeping the people a team or function "
                                             "needs."),
    ("CareerCoaching", "Responsibility", "Coaching people in their careers", ["career development",
     "career planning", "promotions", "coaching"], "Helping reports grow their skills and plan their careers."),
    ("OneOnOnesAndFeedback", "Responsibility", "One-on-ones and performance feedback", ["1:1s", "one on ones",
     "performance feedback", "performance"], "Meeting each report regularly and telling them clearly how they "
                                              "are doing."),
    ("TeamDelivery", "Responsibility", "Team planning and delivery", ["delivery", "project plans",
     "agile process"], "Planning the team's work and making sure it ships, with a working development process."),
    ("TeamHealth", "Responsibility", "Team happiness and psychological safety", ["psychological safety",
     "team happiness"], "Keeping the team healthy: safe to speak up, motivated, not burned out."),
    ("BuildingSoftware", "Responsibility", "Building and shipping software", ["coding", "developing features",
     "software development"], "Writing, testing and shipping the code of product features and fixes."),
    ("CodeReview", "Responsibility", "Reviewing code", ["code reviews", "coding standards"],
     "Reading colleagues' changes and keeping the code to the team's standards."),
    ("TechnicalDebtReduction", "Responsibility", "Reducing technical debt", ["tech debt", "technical debt"],
     "Finding what slows the team down in the code and systems, and fixing it."),
    ("SystemOwnership", "Responsibility", "Owning the system in production", ["production support",
     "operations", "SLAs", "on-call"], "Running and monitoring the team's system in production and answering "
                                       "for its service levels."),
    ("ArchitectureDirection", "Responsibility", "Setting the architecture and technical direction",
     ["architecture", "system design", "technical direction"], "Evolving the system's architecture and the "
                                                               "patterns and practices the team builds with."),
    ("TechnicalMentoring", "Responsibility", "Mentoring engineers", ["mentoring engineers", "technical mentoring"],
     "Helping other engineers grow in their technical work."),
    ("CrossTeamTechnicalLeadership", "Responsibility", "Solving technical problems across teams",
     ["cross-team technical leadership"], "Taking on technical problems of the largest scope, across several "
                                          "teams, and aligning their work."),
    ("EngineeringProductInterface", "Responsibility", "Interfacing between engineering and product management",
     ["engineering-product partnership"], "Keeping engineering and product management working together "
                                          "smoothly."),
    ("QualitySecurityPerformance", "Responsibility", "Answering for product quality, security and performance",
     ["quality", "performance"], "Being accountable that what engineering ships is of good quality, secure and "
                                 "fast."),
    ("EngineeringMetrics", "Responsibility", "Measuring and improving engineering performance",
     ["engineering metrics", "KPIs", "OKRs"], "Setting and following the measures and goals of engineering "
                                              "groups."),
    ("TechnologyVision", "Responsibility", "Setting the long-term technology vision", ["technology strategy"],
     "Working out, with the other executives, where the company's technology goes over several years."),
    ("SecurityReviews", "Responsibility", "Security reviews and guidance", ["threat modeling",
     "security architecture", "appsec reviews"], "Advising teams on the security of architecture, "
                                                  "authentication and systems, and reviewing their designs."),
    ("VulnerabilityHandling", "Responsibility", "Triaging and handling security issues",
     ["vulnerabilities", "security issues", "triage"], "Assessing reported security problems and getting them "
                                                        "fixed or escalated."),
    ("SecurityTraining", "Responsibility", "Security training for developers", ["security training"],
     "Teaching development teams how to build securely."),
    ("SecurityProgram", "Responsibility", "Running the security programme", ["security strategy",
     "security department", "information security"], "Setting the vision, strategy and programme that keep the "
                                                       "organization's information assets and technology "
                                                       "protected."),
    ("ProductSecurity", "Responsibility", "Securing the products", ["product security"],
     "Making sure the products themselves are secure, from design to release."),
    ("UserResearch", "Responsibility", "Conducting user research", ["UX research", "research",
     "usability testing"], "Planning, running and analysing research with users, with qualitative and "
                           "quantitative methods."),
    ("SharingResearchInsights", "Responsibility", "Sharing research insights", ["insights"],
     "Communicating what research found so that teams decide with it."),
    ("ExperienceDesign", "Responsibility", "Designing the product experience", ["interaction design",
     "UX design", "user experience"], "Defining the interface and flows of a product so that they fit the "
                                      "larger experience."),
    ("DesignDeliverables", "Responsibility", "Creating design deliverables", ["wireframes", "mockups",
     "prototypes"], "Making the wireframes, mockups, prototypes and flows that communicate design ideas."),
    ("DesignLeadership", "Responsibility", "Setting the design vision and standards", ["design system",
     "design vision", "UX strategy"], "Aligning design and research with company goals, and promoting design "
                                      "guidelines and the design system."),
    ("DesignQuality", "Responsibility", "Reviewing design quality", ["design reviews"],
     "Reviewing the team's designs and research so they stay of high quality."),
    ("ProductUsageAnalysis", "Responsibility", "Analysing product usage", ["product analytics",
     "usage data", "data analysis"], "Studying how customers use products and what they do across their journey."),
    ("ProductKPIs", "Responsibility", "Owning product performance indicators", ["product KPIs", "metrics"],
     "Defining and following the measures that show how products perform."),
    ("DataStorytelling", "Responsibility", "Informing decisions with data", ["data storytelling",
     "data insights"], "Turning data into insights that product teams act on."),
    ("BuyerPersonas", "Responsibility", "Defining buyer and user personas", ["personas", "positioning"],
     "Researching who buys and uses a product, their needs and goals."),
    ("MarketingCollateral", "Responsibility", "Producing product marketing content", ["collateral",
     "messaging", "product launches"], "Writing the pages, decks, webinars and data sheets that tell buyers what "
                                       "a product is worth."),
    ("SalesEnablement", "Responsibility", "Enabling sales", ["sales enablement", "go to market"],
     "Teaching the sales team and partners how to sell a product."),
    ("CompetitiveAnalysis", "Responsibility", "Analysing the market and competition", ["competition",
     "market research", "win/loss"], "Following competitors and market trends to position a product."),
    ("SpendAnalysis", "Responsibility", "Analysing spend", ["spend analytics", "cost models"],
     "Studying what the organization spends to find savings and better deals."),
    ("ProcurementReporting", "Responsibility", "Procurement metrics and reporting", ["procurement metrics"],
     "Keeping the measures, benchmarks and service levels of procurement, and reporting on them."),
    ("SupportingRequisitions", "Responsibility", "Supporting purchase requests", ["requisitions",
     "purchase requests"], "Helping colleagues with their purchase requests and the buying process."),
    ("CompanyStrategy", "Responsibility", "Setting the company's strategy", ["overall strategy"],
     "Deciding the overall direction of the company."),
    ("CompanyVisionCommunication", "Responsibility", "Communicating the company's vision and goals",
     ["company vision"], "Telling the whole company and its community where it is going and why."),
    ("FundingAndBoard", "Responsibility", "Funding and board relations", ["funding", "investors", "board"],
     "Keeping enough cash, raising funds and keeping the board and investors informed."),
    ("ProductProcesses", "Responsibility", "Running product processes and tools", ["product operations",
     "product ops"], "Looking after the processes, tools and data product managers work with."),
]

# --- facts ---------------------------------------------------------------------------------------------------
# (subject, predicate, object, [(doc, verbatim text)], context or None, editorial note or None)
Q = tuple[str, str]
FACTS: list[tuple[str, str, str, list[Q], str | None, str | None]] = []


def fact(s: str, p: str, o: str, *quotes: Q, context: str | None = None, note: str | None = None) -> None:
    FACTS.append((s, p, o, list(quotes), context, note))


def responsibilities(role: str, *items: tuple[str, Q], context: str | None = None) -> None:
    for concept, quote in items:
        fact(role, "hasResponsibility", concept, quote, context=context)


SG = "scrum-guide"
# Product Owner (Scrum Guide) -- the differences from the Product Manager the compare view shows.
responsibilities("ProductOwner",
                 ("MaximizingProductValue", (SG, SCRUM_GUIDE[0])),
                 ("ProductBacklogManagement", (SG, "Ordering Product Backlog items; and,")),
                 ("CommunicatingProductGoal", (SG, SCRUM_GUIDE[2])),
                 context="in Scrum")
fact("ProductOwner", "hasResponsibility", "ProductBacklogManagement", (SG, SCRUM_GUIDE[3]), (SG, SCRUM_GUIDE[5]),
     context="in Scrum")
fact("ProductOwner", "usedAsJobTitle", "false", (SG, SCRUM_GUIDE[6]), context="in Scrum",
     note="The Scrum Guide defines the Product Owner as an accountability of one person in a Scrum Team, not as "
          "a job title; this agrees with sentence 33 of the seed text.")

# Product Manager and its ladder (GitLab job family; Monzo framework topics).
PM = "gl-pm"
responsibilities("ProductManager",
                 ("UnderstandingUserProblems", (PM, "Understanding and communicating the problem of our users and "
                                                    "customers")),
                 ("DefiningRequirements", (PM, "Defining requirements for a solution that is loved by our users and "
                                               "customers")),
                 ("EnsuringBusinessViability", (PM, "Ensuring our product is viable for GitLab")),
                 ("PrioritizingProductWork", (PM, "PMs ensure that issues that impact GitLab are appropriately")),
                 context="core responsibilities of GitLab product managers")
for role in ("AssociateProductManager", "SeniorProductManager", "PrincipalProductManager",
             "TechnicalProductManager"):
    # the core PM responsibilities hold at every level of the PM job family
    responsibilities(role,
                     ("UnderstandingUserProblems", (PM, "Understanding and communicating the problem of our users "
                                                        "and customers")),
                     ("DefiningRequirements", (PM, "Defining requirements for a solution that is loved by our "
                                                   "users and customers")),
                     ("EnsuringBusinessViability", (PM, "Ensuring our product is viable for GitLab")),
                     context="core responsibilities of product managers, at every level")
fact("SeniorProductManager", "hasResponsibility", "MentoringProductStaff",
     (PM, "Mentor less experienced Product Managers to enable them add more value sooner"))
fact("SeniorProductManager", "hasResponsibility", "CompetitiveAnalysis",
     (PM, "Mastery of the competitive and market landscape of their product domain"))
fact("PrincipalProductManager", "hasResponsibility", "CrossDomainProductLeadership",
     (PM, "own specific domains within the product that extends cross-stage"))
fact("PrincipalProductManager", "hasResponsibility", "MentoringProductStaff",
     (PM, "Principal Product Managers are expected to coach and mentor other Product Managers"))
fact("ProductManager", "progressesTo", "SeniorProductManager",
     (PM, "Senior Product Managers are expected to be experts in their product domain"),
     note="The job family lists Product Manager, Senior and Principal as successive levels of one ladder.")
fact("SeniorProductManager", "progressesTo", "PrincipalProductManager",
     (PM, "The Principal Product Manager role extends the Senior Product Manager role expectations."))
fact("PrincipalProductManager", "typicallyReportsTo", "ProductDirector",
     (PM, "The Senior Principal Product Manager will report to a Director of Product Management (or above)."),
     note="Said of the Senior Principal level, the top of the individual-contributor PM ladder.")
for topic, line in (("ProblemSolving", "Problem solving"), ("UserCentricity", "User-centricity"),
                    ("DataSkills", "Data Skills"), ("DomainKnowledge", "Domain Knowledge"),
                    ("Execution", "Execution"), ("WorksThroughOthers", "Works Through Others"),
                    ("CommunicationAndFeedback", "Communication and Feedback")):
    fact("ProductManager", "requiresKnowledgeOf", topic, ("monzo-product", line),
         context="a topic of Monzo's product progression framework")

# Group Product Manager, Director of Product, VP of Product, CPO (GitLab).
PML = "gl-pml"
responsibilities("GroupProductManager",
                 ("MentoringProductStaff", (PML, "Coach Product Managers through their")),
                 ("PrioritizingProductWork", (PML, "Enable product managers to make the most effective decisions "
                                                   "when")),
                 ("ProductVisionAndRoadmap", (PML, "pages up to date as our high level roadmap")),
                 ("CompetitiveAnalysis", (PML, "Understand deeply and synthesize the market, competition, and "
                                               "upcoming solutions")),
                 context="Group Manager, Product at GitLab")
responsibilities("ProductDirector",
                 ("BuildingAProductTeam", (PML, "Make sure you have a great product team (recruit and hire, "
                                                "coach and mentor, promote proactively, identify "
                                                "underperformance)")),
                 ("ProductVisionAndRoadmap", (PML, "Distill the overall vision into a compelling roadmap")),
                 ("CareerCoaching", (PML, "Support direct reports in their career plans at GitLab and beyond")),
                 context="the product management leadership job family at GitLab")
fact("ProductDirector", "typicallyReportsTo", "VPOfProduct",
     (PML, "This role typically manages 4-6 direct reports, including Product Managers and Group Managers of "
           "Product Management, and reports to either"), context="at GitLab")
fact("GroupProductManager", "typicallyReportsTo", "ProductDirector",
     (PML, "This role typically manages 4-6 direct reports, including Product Managers and Group Managers of "
           "Product Management, and reports to either"), context="at GitLab")
fact("ProductManager", "typicallyReportsTo", "GroupProductManager",
     (PML, "Coach Product Managers through their"),
     note="The Group Manager, Product coaches the product managers of its group; the Director of Product "
          "manages product managers too.")
fact("GroupProductManager", "progressesTo", "ProductDirector",
     (PML, "Perform all non-IC responsibilities of a"))
responsibilities("VPOfProduct",
                 ("ProductVisionAndRoadmap", (PML, "Work on the vision with the")),
                 ("BuildingAProductTeam", (PML, "Make sure you have a great product team (recruit and hire, "
                                                "coach and mentor, promote proactively, identify "
                                                "underperformance)")),
                 ("CareerCoaching", (PML, "Support direct reports in their career plans at GitLab and beyond")),
                 context="responsibilities of every level of the product management leadership job family")
CPO = "gl-cpo"
fact("ChiefProductOfficer", "typicallyReportsTo", "ChiefExecutiveOfficer",
     (CPO, "The Chief Product Officer reports to our CEO."), context="at GitLab")
responsibilities("ChiefProductOfficer",
                 ("BuildingAProductTeam", (CPO, "Recruit, coach, and retain those directors.")),
                 ("ProductBacklogManagement", (CPO, "Manage the process by which ideas are transformed into "
                                                    "detailed requirements on a prioritized backlog.")),
                 ("ProductVisionAndRoadmap", (CPO, "Maintain a transparent, up-to-date roadmap.")),
                 context="at GitLab")
fact("VPOfProduct", "typicallyReportsTo", "ChiefProductOfficer",
     (CPO, "Manage a team of product leaders, up to VP level."), context="at GitLab")

# Product Analyst (GitLab).
PA = "gl-analyst"
responsibilities("ProductAnalyst",
                 ("ProductUsageAnalysis", (PA, "solutions to understand product usage and customer activity")),
                 ("ProductKPIs", (PA, "Key Performance Indicators, develop a deep understanding of product health")),
                 ("DataStorytelling", (PA, "experience, advance data acumen across the company, and promote "
                                           "strategic decisions through")),
                 context="at GitLab")

# Technical Product Manager, Product Operations Manager, Portfolio Owner: what the sources allow.
fact("TechnicalProductManager", "requiresKnowledgeOf", "SoftwareDelivery",
     (PM, "Strong technically: you understand how software is built, packaged, deployed and operated"),
     context="a base requirement of every GitLab product manager",
     note="The requirement holds for all product managers; for a technical product manager it is central.")
responsibilities("ProductOperationsManager",
                 ("ProductProcesses", (PM, "PMs participate in and follow the")),
                 ("ProductKPIs", (PA, "Key Performance Indicators, develop a deep understanding of product health")),
                 ("PrioritizingProductWork", (PML, "Enable product managers to make the most effective decisions "
                                                   "when")),
                 context="product-management processes the sources name; no source here describes the product "
                         "operations role itself")

# Engineering: developer ladder (jorgef, FT, GitLab).
TLEM, DEV = "jorgef-tl-em", "jorgef-developer"
BE, BES, BST = "gl-backend", "gl-backend-senior", "gl-backend-staff"
responsibilities("SoftwareEngineer",
                 ("BuildingSoftware", (DEV, "successfully pushes new features and bug fixes to improve and extend "
                                            "the system")),
                 ("TechnicalDebtReduction", (DEV, "designs and implements medium to large size features while "
                                                  "reducing the system's tech debt")),
                 ("CodeReview", (BE, "Maintain and advocate for these standards through code review.")),
                 ("SystemOwnership", (BE, "Participate in Tier 2 or Tier 3 weekday and weekend and occasional night")))
responsibilities("SeniorSoftwareEngineer",
                 ("BuildingSoftware", (BES, "Confidently ship moderately sized features and improvements with "
                                            "minimal guidance")),
                 ("TechnicalMentoring", (BES, "Provide mentorship for Junior and Intermediate Engineers on your "
                                              "team")),
                 ("CodeReview", (BES, "Maintain and advocate for these standards through code review.")),
                 ("ArchitectureDirection", (BES, "Exert influence on the overall objectives and long-range goals "
                                                 "of your team.")))
responsibilities("StaffEngineer",
                 ("CrossTeamTechnicalLeadership", (BST, "Solve technical problems of the highest scope and "
                                                        "complexity for your team.")),
                 ("ArchitectureDirection", (BST, "Exert significant influence on the overall objectives and "
                                                 "long-range goals of your team.")),
                 ("TechnicalMentoring", (BST, "Provide mentorship for all Engineers on your team")),
                 ("TechnicalDebtReduction", (BST, "Actively seek out difficult impediments to our efficiency as a "
                                                  "team")))
PE = "gl-principal"
responsibilities("PrincipalEngineer",
                 ("CrossTeamTechnicalLeadership", (PE, "Solves technical problems of the highest scope, "
                                                       "complexity, and ambiguity for their sub-department.")),
                 ("TechnicalMentoring", (PE, "Teach, mentor, grow, and provide advice to other domain experts")),
                 ("ArchitectureDirection", (PE, "Proposes initial technical implementation which supports "
                                                "architectural changes")))
fact("PrincipalEngineer", "typicallyReportsTo", "EngineeringManager",
     ("gl-eng-mgmt", "The Principal Engineer reports to the"), context="at GitLab (a senior engineering manager)")
fact("SoftwareEngineer", "progressesTo", "SeniorSoftwareEngineer",
     ("ft-engineering", "name: Senior Engineer 1"),
     note="FT's engineering levels run Junior Engineer, Engineer, Senior Engineer 1 and 2, Principal Engineer.")
fact("SeniorSoftwareEngineer", "progressesTo", "StaffEngineer",
     (BES, "[Staff](/job-families/engineering/development/backend/staff/)"),
     note="GitLab's backend engineering levels run Intermediate, Senior, Staff.")
fact("StaffEngineer", "progressesTo", "PrincipalEngineer",
     (PE, "enables Staff Engineers to engage on department-level aspects"),
     note="The Principal Engineer works with and above Staff Engineers.")
fact("PrincipalEngineer", "differsFrom", "EngineeringManager",
     ("ft-engineering", "name: Principal Engineer (Individual Contributor)"),
     note="FT offers the principal level on an individual-contributor and a people-manager track.")

# Tech Lead vs Engineering Manager (jorgef).
responsibilities("TechLead",
                 ("TechnicalExcellence", (TLEM, "Technical Excellence and Innovation")),
                 ("ArchitectureDirection", (TLEM, "Architecture and System Integration")),
                 ("CodeReview", (TLEM, "Code Reviews and Feedback")),
                 ("SystemOwnership", (TLEM, "System SLAs, Metrics & Monitoring")),
                 ("TechnicalMentoring", (TLEM, "Tech Mentoring, Adoption and Alignment")),
                 ("TeamDelivery", (TLEM, "Development Process (shared)")),
                 context="Tech Lead (System) column")
responsibilities("EngineeringManager",
                 ("CareerCoaching", (TLEM, "Career Planning, Promotions and Coaching")),
                 ("BuildingAProductTeam", (TLEM, "Headcount Planning and Hiring")),
                 ("TeamDelivery", (TLEM, "Team Planning and Delivery")),
                 ("OneOnOnesAndFeedback", (TLEM, "Objectives, Performance and Feedback")),
                 ("TeamHealth", (TLEM, "Team Protection and Happiness")),
                 context="Engineering Manager (People) column")
fact("TechLead", "differsFrom", "EngineeringManager",
     (TLEM, "the Tech Lead is in charge of the *System* while the Engineering Manager is in charge of the *People*"))
fact("TechLead", "typicallyReportsTo", "EngineeringManager",
     (TLEM, "It is very common for companies to mix the Tech Lead and Engineering Manager roles."),
     note="The source pairs the two roles on one team; that the tech lead reports to the engineering manager is "
          "the ontology's reading.")
fact("SoftwareEngineer", "progressesTo", "TechLead",
     ("jorgef-readme", "role also known as dev lead, is the owner of the system"),
     note="In the source's ladder table the Tech Lead track starts at level 4, the first senior developer level.")
fact("EngineeringManager", "hasResponsibility", "QualitySecurityPerformance",
     ("gl-em", "Improve product quality, security, and performance"), context="at GitLab")
fact("EngineeringManager", "hasResponsibility", "OneOnOnesAndFeedback",
     ("gl-em", "with all members of their team"), context="at GitLab")

# Director, VP, CTO (GitLab).
GD, GV, GM = "gl-eng-director", "gl-eng-vp", "gl-eng-mgmt"
responsibilities("DirectorOfEngineering",
                 ("BuildingAProductTeam", (GD, "Prioritization of hiring efforts to focus on areas of most need")),
                 ("EngineeringProductInterface", (GD, "Provide a consistent/successful interface between Engineering "
                                                      "Development and Product Management")),
                 ("EngineeringMetrics", (GD, "Development, measurement, and management of key metrics for group's "
                                             "performance")),
                 context="at GitLab")
fact("DirectorOfEngineering", "typicallyReportsTo", "VPOfEngineering",
     (GM, "The Senior Director, Development reports to the"), context="at GitLab (via a senior director)")
responsibilities("HeadOfEngineering",
                 ("BuildingAProductTeam", (GV, "Drive recruiting of a world class team at all levels")),
                 ("EngineeringProductInterface", (GV, "Work closely with Senior leaders of Product Management")),
                 ("QualitySecurityPerformance", (GV, "product quality, security, and performance")),
                 context="responsibilities GitLab gives the head of its development department (VP, Development)")
responsibilities("VPOfEngineering",
                 ("BuildingAProductTeam", (GV, "Drive recruiting of a world class team at all levels")),
                 ("EngineeringProductInterface", (GV, "Work closely with Senior leaders of Product Management")),
                 ("QualitySecurityPerformance", (GV, "product quality, security, and performance")),
                 ("TeamHealth", (GV, "Measure and improve the happiness of Engineering")),
                 context="VP, Development at GitLab")
fact("VPOfEngineering", "typicallyReportsTo", "ChiefTechnologyOfficer",
     (GM, "The VP of Development reports to the"), context="at GitLab")
fact("ChiefTechnologyOfficer", "typicallyReportsTo", "ChiefExecutiveOfficer",
     (GM, "The Chief Technology Officer reports to the Chief Executive Officer."), context="at GitLab")
responsibilities("ChiefTechnologyOfficer",
                 ("TechnologyVision", (GM, "on the 3-5 year vision")),
                 ("BuildingAProductTeam", (GM, "Drive recruiting of a world class team")),
                 ("QualitySecurityPerformance", (GM, "product quality, security, and performance")),
                 ("EngineeringMetrics", (GM, "quarterly OKRs around company goals")),
                 context="at GitLab")
fact("EngineeringManager", "progressesTo", "DirectorOfEngineering",
     (GD, "- Senior Engineering Manager"), note="GitLab's levels: Senior Engineering Manager, Director, Senior "
                                                "Director, VP.")

# Security (GitLab).
SE, CISO = "gl-security", "gl-ciso"
responsibilities("SecurityEngineer",
                 ("SecurityTraining", (SE, "Develop security training and guidance to internal development teams")),
                 ("SecurityReviews", (SE, "Provide subject matter expertise on architecture, authentication and "
                                          "system security")),
                 ("VulnerabilityHandling", (SE, "Triages/handles basic security issues")),
                 context="at GitLab")
fact("ChiefInformationSecurityOfficer", "typicallyReportsTo", "ChiefExecutiveOfficer",
     (CISO, "The Chief Information Security Officer (CISO) reports to our CEO."), context="at GitLab")
responsibilities("ChiefInformationSecurityOfficer",
                 ("SecurityProgram", (CISO, "The CISO is responsible for establishing and maintaining the enterprise "
                                            "vision, strategy, and program")),
                 ("BuildingAProductTeam", (CISO, "Run a great security department")),
                 ("ProductSecurity", (CISO, "Help shape our product")),
                 context="at GitLab")

# Design and research (GitLab).
PD, DM, VPUX, UXR = "gl-designer", "gl-design-mgmt", "gl-product-leadership", "gl-uxr"
responsibilities("ProductDesigner",
                 ("ExperienceDesign", (PD, "Help to define and improve the interface and experience of GitLab.")),
                 ("DesignDeliverables", (PD, "Create deliverables (wireframes, mockups, prototypes, flows, and so "
                                             "on) to communicate ideas.")),
                 ("UserResearch", (PD, "Conduct [solution validation]")),
                 context="at GitLab")
fact("ProductDesigner", "collaboratesWith", "ProductManager",
     (PD, "Work with Product Managers and Engineers to iterate on and refine the existing experience."))
fact("ProductDesigner", "typicallyReportsTo", "HeadOfDesign",
     (DM, "Product Designers report to the Product Design Manager."),
     note="At GitLab designers report to a Product Design Manager, who reports up to the design leadership; the "
          "ontology's Head of Design stands for that leadership line.")
responsibilities("UXResearcher",
                 ("UserResearch", (UXR, "Conduct all stages of UX research")),
                 ("SharingResearchInsights", (UXR, "Share research insights in creative ways to increase empathy.")),
                 ("UnderstandingUserProblems", (UXR, "Be the expert on the users within your allocated area of "
                                                     "coverage")),
                 context="at GitLab")
fact("UXResearcher", "typicallyReportsTo", "HeadOfDesign",
     (UXR, "The UX Researcher (Intermediate) reports to the Director of User Experience Research."),
     note="The source's Director of User Experience Research is a design-and-research leadership role.")
responsibilities("HeadOfDesign",
                 ("DesignLeadership", (VPUX, "Set a UX vision that aligns Product Design, UX Research, and Technical "
                                             "Writing with overall company objectives.")),
                 ("BuildingAProductTeam", (VPUX, "Hire and retain a world-class team of Product Designers, UX "
                                                 "Researchers, Technical Writers, and their managers.")),
                 ("DesignQuality", (DM, "reviewing UX deliverables")),
                 ("CareerCoaching", (DM, "Provide coaching for those on your team to grow technical/soft skills")),
                 context="GitLab's design leadership (VP of UX, Product Design Manager)")
fact("HeadOfDesign", "typicallyReportsTo", "ChiefProductOfficer",
     (VPUX, "The VP of UX (User Experience) reports to the Chief Product Officer (CPO)"), context="at GitLab")

# Product marketing (GitLab).
PMMD = "gl-pmm"
responsibilities("ProductMarketingManager",
                 ("BuyerPersonas", (PMMD, "Research and define our enterprise buyer and user personas")),
                 ("MarketingCollateral", (PMMD, "Develop product marketing collateral")),
                 ("SalesEnablement", (PMMD, "Develop and deliver product, market, and industry-specific enablement")),
                 ("CompetitiveAnalysis", (PMMD, "Support research into competitive threats and challenges")),
                 context="at GitLab")
fact("ProductMarketingManager", "collaboratesWith", "ProductManager",
     (PMMD, "Partner with sales, product management, customer success, and engineering teams"))

# Procurement (GitLab procurement operations; the seed text's procurement activities).
PROC = "gl-procurement"
responsibilities("ProcurementManager",
                 ("SpendAnalysis", (PROC, "Leverage spend analytics to identify consolidation opportunities")),
                 ("ProcurementReporting", (PROC, "Develop and maintain procurement metrics")),
                 ("SupportingRequisitions", (PROC, "Support the business stakeholders with requisition and process "
                                                   "questions.")),
                 context="GitLab's procurement operations job family")
responsibilities("Buyer",
                 ("SupportingRequisitions", (PROC, "Support the business stakeholders with requisition and process "
                                                   "questions.")),
                 ("SpendAnalysis", (PROC, "bid analysis")),
                 ("ProcurementReporting", (PROC, "Provide procurement reporting on a recurring basis.")),
                 context="procurement work GitLab's procurement operations roles do")
fact("Buyer", "typicallyReportsTo", "ProcurementManager",
     (PROC, "Support the Procurement Team and internal stakeholders"),
     note="The source places this work in the procurement team; the line to the procurement manager is the "
          "ontology's reading.")

# Chief Executive Officer (GitLab).
CEO = "gl-ceo"
responsibilities("ChiefExecutiveOfficer",
                 ("CompanyStrategy", (CEO, "Set overall strategy")),
                 ("CompanyVisionCommunication", (CEO, "Communicate company vision and goals to the entire team")),
                 ("FundingAndBoard", (CEO, "Secure funding for the company, if needed")),
                 ("BuildingAProductTeam", (CEO, "Hire great people.")),
                 context="at GitLab")
fact("ChiefExecutiveOfficer", "collaboratesWith", "ChiefProductOfficer",
     (CEO, "Provide direction for product development with the"))

# --- requirements: what job families ask of candidates (po:Requirement, derived from the line that says it) ---
# (role, label, {minYears, experienceIn, educationLevel}, quote, context)
REQUIREMENTS: list[tuple[str, str, dict[str, Any], Q, str]] = [
    ("ProductManager", "Experience (GitLab job family)", {"experienceIn": ["ProductManagementDiscipline"]},
     (PM, "Experience in product management"), "a base requirement at every level, at GitLab"),
    ("TechnicalProductManager", "Technical background (GitLab job family)", {"experienceIn": ["SoftwareDelivery"]},
     (PM, "Strong technically: you understand how software is built, packaged, deployed and operated"),
     "a base requirement of every GitLab product manager"),
    ("ProductDirector", "Experience (GitLab job family)", {"experienceIn": ["Leadership"]},
     (PML, "Experience hiring teams in high growth companies"), "product management leadership at GitLab"),
    ("ChiefProductOfficer", "Experience (GitLab job family)", {"experienceIn": ["Leadership",
                                                                              "ProductManagementDiscipline"]},
     (CPO, "Experience hiring and managing a multi-level team of product managers and directors."), "at GitLab"),
    ("ProductAnalyst", "Experience (GitLab job family)", {"minYears": 3, "experienceIn": ["DataAnalysis"]},
     (PA, "3+ years of data analysis experience, leveraging descriptive and predictive data techniques"),
     "Product Analyst (Intermediate) at GitLab"),
    ("ProductMarketingManager", "Experience (GitLab job family)",
     {"minYears": 3, "experienceIn": ["ProductMarketing"]},
     (PMMD, "3-4 years of experience in product marketing with desired experience in the specialty."), "at GitLab"),
    ("HeadOfDesign", "Experience (GitLab job family)", {"minYears": 18, "experienceIn": ["Leadership"]},
     (VPUX, "18+ years of relevant experience including leading UX for a product-led company."),
     "the VP of UX at GitLab"),
    ("EngineeringManager", "Experience (GitLab job family)", {"experienceIn": ["Leadership"]},
     ("gl-em", "Demonstrated progressive experience in a leadership role with current technical experience"),
     "at GitLab"),
    ("DirectorOfEngineering", "Experience (GitLab job family)", {"experienceIn": ["Leadership"]},
     (GD, "Experience managing managers"), "at GitLab"),
    ("ChiefInformationSecurityOfficer", "Experience (GitLab job family)", {"experienceIn": ["SecurityCompliance"]},
     (CISO, "Prior experience as a public company CISO; experience building SOX compliant program"), "at GitLab"),
    ("ProcurementManager", "Education (GitLab job family)", {"educationLevel": ["BachelorsDegree"]},
     (PROC, "Bachelor's degree in relevant field"), "GitLab's procurement operations job family"),
]
CONCEPTS_EXTRA = [
    ("DataAnalysis", "KnowledgeArea", "Data analysis", ["analytics"],
     "Analysing data with descriptive and predictive techniques."),
    ("SecurityCompliance", "KnowledgeArea", "Security compliance programmes", ["SOX compliance"],
     "Building and running the controls and programmes that security regulations ask for."),
    ("BachelorsDegree", "EducationLevel", "Bachelor's degree", ["bachelor"], "An undergraduate degree."),
]

# --- editorial links: responsibilities no source here states for the role ------------------------------------
EDITORIAL = [
    ("ProductOwner", "hasResponsibility", "DefiningRequirements"),
    ("PortfolioOwner", "hasResponsibility", "PortfolioFit"),
    ("PortfolioOwner", "hasResponsibility", "PrioritizingProductWork"),
    ("PortfolioOwner", "typicallyManages", "ProductOwner"),
    ("ChiefProductSecurityOfficer", "hasResponsibility", "ProductSecurity"),
    ("ChiefProductSecurityOfficer", "hasResponsibility", "SecurityReviews"),
    ("ChiefProductSecurityOfficer", "hasResponsibility", "SecurityProgram"),
    ("ChiefProductSecurityOfficer", "typicallyReportsTo", "ChiefExecutiveOfficer"),
    ("SecurityEngineer", "typicallyReportsTo", "ChiefInformationSecurityOfficer"),
    ("HeadOfEngineering", "typicallyReportsTo", "ChiefTechnologyOfficer"),
    ("StaffEngineer", "typicallyReportsTo", "EngineeringManager"),
    ("SeniorSoftwareEngineer", "typicallyReportsTo", "EngineeringManager"),
    ("AssociateProductManager", "typicallyReportsTo", "GroupProductManager"),
    ("AssociateProductManager", "progressesTo", "ProductManager"),
    ("SeniorProductManager", "typicallyReportsTo", "GroupProductManager"),
    ("TechnicalProductManager", "typicallyReportsTo", "GroupProductManager"),
    ("TechnicalProductManager", "hasResponsibility", "PrioritizingProductWork"),
    ("ProductOperationsManager", "typicallyReportsTo", "HeadOfProduct"),
    ("ProductAnalyst", "typicallyReportsTo", "HeadOfProduct"),
    ("ProductMarketingManager", "typicallyReportsTo", "HeadOfProduct"),
    ("HeadOfProcurement", "hasResponsibility", "SpendAnalysis"),
    ("ProductOwner", "typicallyReportsTo", "GroupProductManager"),
]
MONZO_TOPICS = [
    ("ProblemSolving", "KnowledgeArea", "Problem solving", [],
     "Finding which problems are worth solving and how, and testing assumptions early."),
    ("UserCentricity", "KnowledgeArea", "User-centricity", [],
     "Putting users and their problems at the centre of product decisions."),
    ("DataSkills", "KnowledgeArea", "Data skills", [], "Using data to understand products and to decide."),
    ("DomainKnowledge", "KnowledgeArea", "Domain knowledge", [],
     "Knowing the market, the business and the product area."),
    ("Execution", "KnowledgeArea", "Execution", [], "Prioritising and delivering the work."),
    ("WorksThroughOthers", "KnowledgeArea", "Working through others", [],
     "Getting results with and through the squad and other teams."),
    ("CommunicationAndFeedback", "KnowledgeArea", "Communication and feedback", [],
     "Communicating clearly and giving and receiving feedback."),
]
CONCEPTS += MONZO_TOPICS
EXTRA_KNOWLEDGE = [("SoftwareDelivery", "KnowledgeArea", "How software is built and run", ["software delivery"],
                    "How software is built, packaged, deployed and operated.")]
CONCEPTS += EXTRA_KNOWLEDGE
CONCEPTS.append(("TechnicalExcellence", "Responsibility", "Technical excellence and innovation",
                 ["innovation", "technical spikes"], "Keeping the system's engineering sound and trying new "
                                                     "technical ideas through spikes and experiments."))


# --- writing -------------------------------------------------------------------------------------------------


def _lines(doc: Doc, gitlab: Path | None) -> list[str]:
    if doc.path == "scrum-guide":
        return SCRUM_GUIDE
    if doc.path.startswith("gitlab:"):
        if gitlab is None:
            sys.exit("give --gitlab (a mirror of the GitLab handbook) to read " + doc.path)
        text = subprocess.run(["git", "-C", str(gitlab), "show", f"{GITLAB_COMMIT}:{GITLAB_DIR}{doc.path[7:]}"],
                              capture_output=True, text=True, check=True).stdout
        return text.splitlines()
    return (LADDERS / doc.path.removeprefix("ladders/")).read_text(encoding="utf-8").splitlines()


def lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"@en'


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gitlab", type=Path, help="a git mirror holding the GitLab handbook job families")
    args = parser.parse_args()
    lines = {d.key: _lines(d, args.gitlab) for d in DOCS}
    quotes: dict[Q, tuple[str, int]] = {}  # (doc, text) -> (sentence IRI, line number)
    taken: dict[tuple[str, int], int] = {}
    sourced = [qs for *_spo, qs, _c, _n in FACTS] + [[q] for _r, _l, _f, q, _c in REQUIREMENTS]
    for qs in sourced:
        for q in qs:
            if q in quotes:
                continue
            doc, text = q
            number = next((i for i, line in enumerate(lines[doc], 1) if text in line), None)
            if number is None:
                sys.exit(f"quote not found in {doc}: {text!r}")
            taken[doc, number] = taken.get((doc, number), 0) + 1
            suffix = "" if taken[doc, number] == 1 else f"-{taken[doc, number]}"
            iri = f"lad:l{number:03d}" if doc == "monzo-product" else f"ls:{doc}-{number}"
            quotes[q] = (iri + suffix, number)
    used_docs = {doc for doc, _text in quotes}
    out = [HEADER]
    concepts = CONCEPTS + CONCEPTS_EXTRA
    out.append("# --- Tracks and levels ---------------------------------------------------------------------"
               "----------------\n")
    out.append(TRACK_TERMS)
    for name, rank, label, definition in LEVELS:
        out.append(f"po:{name} a po:CareerLevel, skos:Concept ; skos:inScheme po:LevelScheme ; po:rank {rank} ;\n"
                   f"    skos:prefLabel {lit(label)} ; skos:definition {lit(definition)} .")
    out.append("\n# --- Source documents --------------------------------------------------------------------"
               "-----------------\n")
    for doc in DOCS:
        if doc.key not in used_docs and doc.key != "monzo-product":
            continue
        iri = "lad:doc" if doc.key == "monzo-product" else f"ls:{doc.key}"
        out.append(f"{iri} a po:SourceDocument, prov:Entity ;\n    dcterms:title {lit(doc.title)} ;\n"
                   f"    dcterms:identifier \"{doc.identifier}\" ;\n    dcterms:source <{doc.url}> ;\n"
                   f"    dcterms:license <{doc.license}> ;\n    po:retrievedOn \"{RETRIEVED}\"^^xsd:date .")
    out.append("\n# --- Source sentences (po:sentenceNumber: the line of the file; in the Scrum Guide, the "
               "order of the quoted sentences) --\n")
    for (doc, text), (iri, number) in sorted(quotes.items(), key=lambda kv: kv[1]):
        part = "lad:doc" if doc == "monzo-product" else f"ls:{doc}"
        out.append(f"{iri} a po:SourceSentence ; po:sentenceNumber {number} ; dcterms:isPartOf {part} ;\n"
                   f"    po:quote {lit(text)} .")
    out.append("\n# --- Roles the seed text does not name ------------------------------------------------------"
               "---------------\n")
    for name, _track, _rank, new in ROLES:
        if new is None:
            continue
        label, alts, families, definition = new
        alt = f" ;\n    skos:altLabel {', '.join(lit(a) for a in alts)}" if alts else ""
        out.append(f"po:{name} a org:Role, skos:Concept ; skos:inScheme po:RoleScheme ; "
                   f"skos:broader {', '.join('po:' + f for f in families)} ;\n    skos:prefLabel {lit(label)}{alt} ;\n"
                   f"    skos:definition {lit(definition)} .")
    out.append("\n# --- The ladders: track and level of every role (the ontology's own scale) --------------------"
               "---------\n")
    for name, track, rank, _new in ROLES:
        out.append(f"po:{name} po:track po:{track} ; po:level po:{LEVEL_BY_RANK[rank]} .")
    out.append("\n# --- Concepts -------------------------------------------------------------------------------"
               "-------------\n")
    for name, kind, label, alts, definition in concepts:
        alt = f" ; skos:altLabel {', '.join(lit(a) for a in alts)}" if alts else ""
        out.append(f"po:{name} a po:{kind} ; skos:inScheme po:KnowledgeScheme ;\n    skos:prefLabel {lit(label)}"
                   f"{alt} ;\n    skos:definition {lit(definition)} .")
    out.append("\n# --- Facts, each with the sentences it is derived from ------------------------------------"
               "-----------------\n")
    for s, p, o, qs, context, note in FACTS:
        obj = "false" if o == "false" else f"po:{o}"
        out.append(f"po:{s} po:{p} {obj} .")
        extra = (f" ;\n  po:context {lit(context)}" if context else "") + (
            f" ;\n  skos:editorialNote {lit(note)}" if note else "")
        out.append(f"[ a po:SourcedStatement ; rdf:subject po:{s} ; rdf:predicate po:{p} ; rdf:object {obj} ;\n"
                   f"  prov:wasDerivedFrom {', '.join(quotes[q][0] for q in qs)}{extra} ] .")
    out.append("\n# --- Requirements (what job families ask of candidates) -------------------------------------"
               "---------------\n")
    for n, (role, label, fields, q, context) in enumerate(REQUIREMENTS, 1):
        iri = f"ls:requirement-{n:02d}"
        values = [f"po:minYearsOfExperience {fields['minYears']}"] if "minYears" in fields else []
        for key in ("experienceIn", "educationLevel"):
            if key in fields:
                values.append(f"po:{key} " + ", ".join("po:" + c for c in fields[key]))  # type: ignore[attr-defined]
        out.append(f"po:{role} po:hasRequirement {iri} .\n{iri} a po:Requirement ; rdfs:label {lit(label)} ;\n    "
                   + " ;\n    ".join(values) + f" ;\n    po:context {lit(context)} ;\n"
                   f"    prov:wasDerivedFrom {quotes[q][0]} .")
    out.append("\n# --- Editorial links (no source states them for the role; the ontology's reading) ------------"
               "---------\n")
    for s, p, o in EDITORIAL:
        out.append(f"po:{s} po:{p} po:{o} .")
    OUT.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}: {len(ROLES)} roles, {len(FACTS)} sourced facts, {len(quotes)} quotes "
          f"from {len(used_docs)} documents")


HEADER = """@prefix po:      <http://w3id.org/product-org/ontology#> .
@prefix lad:     <http://w3id.org/product-org/source/monzo-product-framework#> .
@prefix ls:      <http://w3id.org/product-org/source/ladders#> .
@prefix org:     <http://www.w3.org/ns/org#> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl:     <http://www.w3.org/2002/07/owl#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .

# ---------------------------------------------------------------------------------------------------------
# Role ladders: the track (individual contributor or manager) and level of every role, the roles the seed text
# does not name, and facts from public career frameworks and job families. GENERATED by scripts/build_ladders.py:
# edit the script, not this file. Every fact is in the ontology's own words and names the verbatim line(s) of
# its source (po:quote, with the document's licence, origin and retrieval date).
# ---------------------------------------------------------------------------------------------------------
"""

TRACK_TERMS = """po:Track a owl:Class ; rdfs:subClassOf skos:Concept ;
    rdfs:label "career track"@en ;
    skos:definition "A career track of a ladder: individual contributor or management."@en .
po:CareerLevel a owl:Class ; rdfs:subClassOf skos:Concept ;
    rdfs:label "career level"@en ;
    skos:definition "A level of the ontology's career scale, comparable across role families."@en .
po:LevelScheme a skos:ConceptScheme ;
    skos:prefLabel "Career levels"@en ;
    skos:definition "The ontology's ten-step career scale; po:rank orders it (1 entry, 10 CEO)."@en .
po:track a owl:ObjectProperty, owl:FunctionalProperty ;
    rdfs:label "track"@en ;
    skos:definition "The career track a role belongs to: individual contributor or management (people manager)."@en ;
    rdfs:domain org:Role ; rdfs:range po:Track .
po:level a owl:ObjectProperty, owl:FunctionalProperty ;
    rdfs:label "level"@en ;
    skos:definition "The level of a role on the ontology's career scale."@en ;
    rdfs:domain org:Role ; rdfs:range po:CareerLevel .
po:rank a owl:DatatypeProperty ;
    rdfs:label "rank"@en ;
    skos:definition "The position of a career level on the scale, 1 (entry) to 10 (chief executive)."@en ;
    rdfs:domain po:CareerLevel ; rdfs:range xsd:integer .
po:retrievedOn a owl:DatatypeProperty ;
    rdfs:label "retrieved on"@en ;
    skos:definition "The date the project read the source document it quotes."@en ;
    rdfs:domain po:SourceDocument ; rdfs:range xsd:date .
po:IndividualContributorTrack a po:Track, skos:Concept ; skos:inScheme po:LevelScheme ;
    skos:prefLabel "Individual contributor"@en ; skos:altLabel "IC"@en ;
    skos:definition "Roles that grow by the scope of their own work, without managing people."@en .
po:ManagementTrack a po:Track, skos:Concept ; skos:inScheme po:LevelScheme ;
    skos:prefLabel "Management"@en ; skos:altLabel "manager"@en, "people manager"@en ;
    skos:definition "Roles that lead through the people who report to them."@en .
"""

if __name__ == "__main__":
    main()
