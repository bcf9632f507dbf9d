# ruff: noqa: RUF001 - typographic dashes and quotes are part of realistic text
"""Labelled sentences for the anonymisation check.

Everything here is invented: names are fictional, e-mail domains are example.org, phone
numbers come from the ranges reserved for drama and documentation (Ofcom 020 7946 0xxx,
0113 496 0xxx and 07700 900xxx; North American 555-01xx; Australian 0491 570 xxx) or are
plainly fake, and IP addresses come from the documentation ranges (192.0.2.0/24,
198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32). No sentence is taken from a real case.

``IDENTIFYING`` pairs each sentence with the kind that must be found in it (others may be
found too). ``CLEAN`` sentences are professional prose full of numbers, citations,
organisations and places that are not identifiers; any finding in one of them is a false
positive. Each is the first set (``*_FIRST``: direct identifiers) followed by the harder
set (``*_HARD``) of what a motivated intruder would use: names without titles, vehicle
registrations, national numbers, handles, named small institutions and combinations of
facts, in English, German and Dutch. The harder sets were written before the detector
was tuned on them; vehicle registrations, national numbers and checksummed numbers in them
are invented (BSN and tax numbers pass their checksums on purpose).
"""

IDENTIFYING_FIRST: list[tuple[str, str]] = [
    # e-mail
    ("For referrals, the case worker can be reached at m.jansen@example.org.", "email"),
    ("The suspect registered the account as dark.knight77@example.org in 2018.", "email"),
    ("Parents wrote to helpdesk [at] example [dot] org for advice after the disclosure.", "email"),
    # phone
    ("The mother phoned the helpline from 020 7946 0321 on two occasions.", "phone"),
    ("He gave his mobile number as 07700 900123 during the interview.", "phone"),
    ("The foster carer's number, (202) 555-0176, was passed to the social worker.", "phone"),
    ("The Dutch team lead can be reached on +31 20 555 0199 during office hours.", "phone"),
    ("Probation in Victoria recorded his number, 0491 570 156, in the risk plan.", "phone"),
    ("The offender's partner called from +49 30 5550 1234 twice that week.", "phone"),
    # date of birth
    ("The young person (born 3 March 2006) disclosed the contact to a teacher.", "date-of-birth"),
    (
        "Records list his DOB: 14/07/1979 and a previous caution for a public order offence.",
        "date-of-birth",
    ),
    (
        "The man, aged 34, born 1989-02-11, was referred to the programme by his GP.",
        "date-of-birth",
    ),
    ("Her date of birth, 22 November 2008, was confirmed by the school.", "date-of-birth"),
    # other full dates
    ("He was arrested on 12 May 2019 after a search of his flat.", "date"),
    ("The first contact with the victim took place on 03/11/2020 via a gaming platform.", "date"),
    ("The sentencing hearing was listed for March 3rd, 2021.", "date"),
    # addresses and postcodes
    ("The search warrant was executed at 14 Acacia Avenue in the early morning.", "address"),
    ("After the disclosure the family moved to a flat near SW1A 1AA.", "address"),
    ("He lived at Damstraat 12, 1012 AB Amsterdam, with his parents.", "address"),
    ("The registered address on the order was Hauptstraße 5, 10115 Berlin.", "address"),
    ("His new address in Dublin, D02 X285, was shared with the local team.", "address"),
    ("The client rented a room at 123 Main Street, Springfield, IL 62704.", "address"),
    ("Supervision was transferred to the office covering K1A 0B1 in Ottawa.", "address"),
    ("The family relocated to Parramatta NSW 2150 in the following year.", "address"),
    # names with titles or ranks
    ("DC Jones conducted the first interview with the young person.", "name"),
    ("The assessment was completed by Dr Helen Marsh, a clinical psychologist.", "name"),
    ("Detective Inspector Sarah Brown authorised the covert operation.", "name"),
    ("Mr Okafor admitted viewing indecent images of children over several months.", "name"),
    ("Sgt. Patel and Officer Ramirez attended the address together.", "name"),
    ("Judge Harrow imposed a sexual harm prevention order for ten years.", "name"),
    ("The referral came from Mrs van der Berg, the boy's class teacher.", "name"),
    # case and reference numbers
    ("The matter is recorded under case no. 2019/4471 at the regional unit.", "case-number"),
    ("Please quote Ref: CR-2021-00931 in any correspondence with the team.", "case-number"),
    ("The crime reference 45/12345/21 was linked to two further reports.", "case-number"),
    ("The file was sent to the prosecutor under URN 01YE1234519.", "case-number"),
    # IP addresses
    ("The images were uploaded from IP address 192.0.2.44 on several occasions.", "ip"),
    ("Logs showed connections from 2001:db8:85a3::8a2e:370:7334 late at night.", "ip"),
    # social media
    ("He contacted the girl through facebook.com/john.doe.555 and later by message.", "social"),
    ("The account instagram.com/kid_x_2009 was reported to the platform.", "social"),
    ("His profile tiktok.com/@user99 had over 2,000 followers.", "social"),
    ("She was groomed by a user calling himself @darkangel_99 on a gaming site.", "social"),
    ("The offender used the username shadow_kid across several platforms.", "social"),
    ("A fake linkedin.com/in/jane-doe-1234 profile was used to pose as a recruiter.", "social"),
    ("He posted from https://x.com/abc123 while claiming to be fifteen.", "social"),
    # written after the detector, as a check that it does not only know its own examples
    (
        "The victim's sister forwarded the messages from lena.k.2004@example.org to the police.",
        "email",
    ),
    ("Questions about the pilot can go to pilot-team@example.org.", "email"),
    (
        "During the call he read out a number, 0113 496 0555, that matched the subscriber records.",
        "phone",
    ),
    ("His wife rang the clinic on 07700 900987 to cancel the session.", "phone"),
    ("The Irish liaison officer is on +353 1 555 0142.", "phone"),
    ("The boy's DOB was recorded as 02.09.2010 in the social care file.", "date-of-birth"),
    ("Mr B (date of birth 17 August 1972) was assessed in custody.", "date-of-birth"),
    (
        "The images were first downloaded on 28 February 2017 according to the forensic report.",
        "date",
    ),
    ("The child protection conference was held on 14/06/2022.", "date"),
    ("The probation hostel at 8 Mill Lane houses six men.", "address"),
    ("Ms T was rehoused to a flat at 42 Elm Grove, Bristol BS6 5PX.", "address"),
    ("The boy attended a school near 3012 KL Rotterdam.", "address"),
    ("The man's last known address was in 80331 München.", "address"),
    ("The forensic examination was carried out by DS Amira Khalil.", "name"),
    ("Professor Lindqvist reviewed the treatment plan with the team.", "name"),
    ("PCSO Dunn noticed the boy outside the library on several evenings.", "name"),
    ("Dr. Okonkwo diagnosed a depressive episode before the arrest.", "name"),
    ("The investigation, police reference 2023/0456/NW, is now closed.", "case-number"),
    ("CPS case number 43SD7654321 was allocated to the complex casework unit.", "case-number"),
    ("The IP 203.0.113.77 was traced to an internet café.", "ip"),
    ("Subscriber checks on 198.51.100.9 returned a residential address.", "ip"),
    ("He used the Instagram account @little_star_2011 to approach children.", "social"),
    ("The victim's profile at facebook.com/people/Anna-Smith/100000000000 was cloned.", "social"),
    ("He invited her to his channel t.me/secretroom42.", "social"),
]

CLEAN_FIRST: list[str] = [
    # years, counts and statistics
    "In 2019, the unit received 1,234 referrals, a 12% increase on the previous year.",
    "The meta-analysis (n = 12,345) found a pooled odds ratio of 1.8 (95% CI 0.8–1.2).",
    "Differences remained significant (p < .001) after controlling for age.",
    "Recidivism was 4.6% over a five-year follow-up (SD = 1.2).",
    "Treatment effects were small (d = 0.24) but consistent across 23 studies.",
    "The cost-benefit ratio was 1:3.5, meaning savings exceeded costs.",
    "Between 2015 and 2019 the number of arrests more than doubled across 43 forces.",
    "A sample of 4,512 men aged 18–65 completed the survey in March 2020.",
    "Around 1 in 5 respondents reported seeing such material before age 18.",
    "Scores on the Static-99R ranged from -3 to 12 in the validation sample.",
    "The time to first reoffence averaged 2.5 years (range 0.5–7.9).",
    "The helpline handled 5,000 calls in the first quarter of 2022.",
    # law: sections, articles, acts, instruments
    "Offences under section 15 of the Sexual Offences Act 2003 carry up to two years.",
    "Article 8 of the European Convention on Human Rights protects private and family life.",
    "The Sexual Offences Act 2003 and the Protection of Children Act 1978 are the main statutes.",
    "Directive 2011/93/EU sets minimum standards for offences and sanctions.",
    "The Lanzarote Convention (CETS No. 201) was ratified by most member states.",
    "The guidance came into force on 1 April 2015 across England and Wales.",
    # ages, durations, money, times
    "The typical participant was a man in his forties with no previous convictions.",
    "Participants aged 34 and over were more likely to complete treatment.",
    "The programme runs for 12 weeks, with 90-minute sessions twice a week.",
    "Each course cost €12,000 to deliver, including clinical supervision.",
    "The group meets at 14:00 on Thursdays and finishes by 16:30.",
    "The trial ran from January to June 2018 at three sites.",
    # bibliographic identifiers and versions
    "See the full analysis at doi:10.1177/1079063214525643 for the subgroup results.",
    "The handbook (ISBN 978-0-19-953556-9) is widely used in initial training.",
    "The screening tool was updated to version 2.10.11 in the last release.",
    "Section 4.2.1 of the guidance describes the risk management plan.",
    "Version 3.2.1.4 of the app added a one-click reporting button.",
    "The review was retrieved on 12 March 2021 from the ministry's website.",
    # organisations, roles without names, anonymised placeholders
    "The Lucy Faithfull Foundation runs the Stop It Now helpline in the UK.",
    "She holds a Dr. of psychology from a Dutch university.",
    "The officer explained the conditions to the family, and a detective followed up.",
    "In our case study, Mr A and Ms X are composite characters.",
    "The Detective Chief Inspector leading the review recommended more training.",
    "A Detective Sergeant and two constables formed the online investigation team.",
    "The Metropolitan Police Service and Police Scotland shared their protocols.",
    "The Criminal Justice System in England and Wales changed sentencing rules in 2015.",
    "The Youth Justice Board published new guidance for practitioners in 2021.",
    "Officers received 16 hours of training on the Child Abuse Image Database.",
    # case numbering inside studies, references, acronyms after years
    "Case 3 illustrates how quickly online contact escalated; see ref. 12 for details.",
    "In 2019 UK and EU policy responses diverged on end-to-end encryption.",
    "Investigators found 1024 MB of material on the seized device.",
    "An ICD-11 diagnosis of paedophilic disorder (6D32) was considered by the team.",
    "Professor of forensic psychology posts were advertised in 2020.",
    # written after the detector, as a check that it does not only know its own examples
    "Across 14 countries, 62% of services reported long waiting lists in 2021.",
    "The Kappa coefficient was 0.81, indicating strong agreement between raters.",
    "Referrals rose from 312 in 2016 to 1,207 in 2020.",
    "The Council of Europe's 2007 convention has 48 ratifications.",
    "Men who completed at least 8 of 12 sessions showed lower dynamic risk scores.",
    "The evaluation followed 257 participants for an average of 6.3 years.",
    "Clinicians rated 73 of the 90 case files as medium risk.",
    "Ofcom's 2022 report found that 1 in 3 children had a false age on social media.",
    "The Youth Offending Team met every 2 weeks with the school.",
    "The Netherlands introduced the programme in 2012 in 5 provinces.",
    "Germany's Prevention Project Dunkelfeld began in Berlin in 2005.",
    "Sessions cost £85 each and were funded by the local authority.",
    "The police officer and the social worker visited together.",
    "Judges in the Family Court rarely see this evidence.",
    "A senior investigating officer reviews each case after 28 days.",
    "Data from Europol's 2020 IOCTA report were used as a benchmark.",
    "Table 3 lists 15 risk factors, 9 of which were statistically significant.",
    "Each of the 4 regional hubs employs 2.5 full-time equivalent staff.",
    "About 70 percent of helpline callers were aged between 25 and 45.",
    "The protocol was revised in April 2019 after consultation with 30 agencies.",
]

IDENTIFYING_HARD: list[tuple[str, str]] = [
    # names without a title: full names, a first name with a relation, a name with an age
    ("Liam Brennan, 41, said the messages had started as jokes.", "person"),
    ("After the arrest his daughter Femke stayed with her grandmother.", "person"),
    ("Chloe Hargreaves told the group she had reported her partner.", "person"),
    ("The referral was made after her brother Jonas found the images.", "person"),
    ("Owen, 16, had been messaging the younger boys for months.", "person"),
    ("Priya Raman and her mother attended the first session together.", "person"),
    ("The boy's stepfather, Gareth Pryce, was later interviewed.", "person"),
    ("Megan (14) told a teacher about the contact.", "person"),
    ("Sean O'Donnell was released on bail the following day.", "person"),
    ("Jonas Becker, 34, wurde nach der Durchsuchung entlassen.", "person"),
    ("Seine Tochter Lena hatte die Chats ihrer Lehrerin gezeigt.", "person"),
    ("Die Meldung kam von Katrin Hoffmann aus dem Jugendamt.", "person"),
    ("Ihr Bruder Tobias (17) wurde als Zeuge befragt.", "person"),
    ("Daan de Vries, 29, meldde zich zelf bij de hulplijn.", "person"),
    ("Haar zoon Sem vertelde het aan zijn mentor.", "person"),
    ("Volgens Sanne Bakker begon het contact via een game.", "person"),
    ("Zijn vriendin Fleur had de berichten gevonden.", "person"),
    # vehicle registrations: UK, IE, NL, DE
    ("The car, registration LJ19 XKT, was seen outside the school twice.", "vehicle"),
    ("Officers stopped a van with the number plate YR68 PWD near the park.", "vehicle"),
    ("He drove a silver hatchback, 191-D-48213, to the meetings.", "vehicle"),
    ("The Irish plate 12-KY-3456 was captured by a roadside camera.", "vehicle"),
    ("De auto met kenteken 12-ABC-3 stond bij het zwembad.", "vehicle"),
    ("Zijn bestelbus (GV-281-T) werd vaker bij de school gezien.", "vehicle"),
    ("Das Fahrzeug mit dem Kennzeichen M-KR 4821 wurde sichergestellt.", "vehicle"),
    ("Ein Zeuge notierte das Auto B-XT 917 vor dem Spielplatz.", "vehicle"),
    # passport, national insurance, BSN and tax numbers
    ("His National Insurance number, AB 12 34 56 C, was on the payslip.", "id-number"),
    ("The NI number JT482917B matched the employer's records.", "id-number"),
    ("Zijn BSN 123456782 stond op de aangifte.", "id-number"),
    ("Het burgerservicenummer 1234.56.794 werd per ongeluk meegestuurd.", "id-number"),
    ("Her passport number 502941387 was copied into the report.", "id-number"),
    ("Er legte den Reisepass C01X00T47 bei der Vernehmung vor.", "id-number"),
    ("Seine Steuer-ID 86190247352 stand in den Unterlagen.", "id-number"),
    ("His PPS number 1234567T was on the social welfare letter.", "id-number"),
    ("The tax return quoted his UTR 1234567890 in full.", "id-number"),
    ("Zijn paspoortnummer NPFH81A52 stond in het dossier.", "id-number"),
    # usernames and handles
    ("He messaged her as @nightowl_tom in the game's chat.", "social"),
    ("The posts came from u/quietlake77 on a forum for teenagers.", "social"),
    ("His handle was bluefox1998 on every platform he used.", "social"),
    ("Sein Benutzername war schattenwolf_12 auf der Plattform.", "social"),
    ("Zijn gebruikersnaam op Discord was stille.jager.", "social"),
    ("He went by the name darkrider_07 in the group chats.", "social"),
    ("Er nannte sich im Chat Kuschelbaer2009.", "social"),
    # named schools, clubs, parishes and small employers
    ("He coached the under-12s at Millbrook Rangers Football Club for three years.", "institution"),
    ("The disclosure came from a pupil at Holy Cross Primary School.", "institution"),
    ("She volunteered at St Brigid's Parish in the evenings.", "institution"),
    ("He worked as a mechanic at Harlow & Sons Garage until his arrest.", "institution"),
    ("The boy attended Ashdown Academy, where a teacher first noticed the change.", "institution"),
    ("Er war Jugendtrainer beim TSV Oberhaching.", "institution"),
    ("Die Lehrerin der Grundschule am Lindenhof meldete den Verdacht.", "institution"),
    ("Hij was leider bij scouting De Kievit in het dorp.", "institution"),
    ("De melding kwam van basisschool De Regenboog.", "institution"),
    ("Hij werkte bij Bakkerij Van Dijk in het centrum.", "institution"),
    ("He was a sidesman at St Oswald's Church for many years.", "institution"),
    ("The family belonged to the parish of St Anne in the town.", "institution"),
    # combinations of facts that single a person out
    (
        "The only female firefighter in the village of Ashcombe was 34 when it started.",
        "combination",
    ),
    (
        "A 52-year-old headteacher in a small town called Wexley was arrested in March 2021.",
        "combination",
    ),
    ("The victim, aged 9, lived in Little Hambury, a village of 300 people.", "combination"),
    ("In June 2019 the local vicar, 61, was suspended.", "combination"),
    ("The 17-year-old survivor of the house fire later disclosed the abuse.", "combination"),
    (
        "Der 47-jährige Bürgermeister eines kleinen Dorfes wurde im Mai 2020 angezeigt.",
        "combination",
    ),
    ("Im Dorf Kleinwalden lebte die 12-Jährige mit ihrer Mutter.", "combination"),
    ("De 58-jarige huisarts uit het dorp Lindelo werd in april 2022 geschorst.", "combination"),
    (
        "Een 15-jarige uit het dorp Haverdijk won in mei 2023 het regionale schaakkampioenschap.",
        "combination",
    ),
    ("The twins, both 14, were the only pupils from the hamlet of Brackenridge.", "combination"),
    ("He was the club's treasurer and, at 71, its oldest member.", "combination"),
    ("In November 2018 the 44-year-old imam of the town's only mosque was charged.", "combination"),
]

CLEAN_HARD: list[str] = [
    # cited researchers
    "Smith and colleagues (2019) found that most men who called the helpline had no convictions.",
    "Dr Seto and colleagues found a modest link between viewing and contact offending.",
    "Hanson et al. (2009) reported that treatment following the RNR principles worked best.",
    "As Babchishin, Hanson and VanZuylen (2015) showed, online offenders differ from others.",
    "Michael Seto's (2013) book remains the standard reference for clinicians.",
    "A later review (Mokros & Banse, 2019) questioned the size of the effect.",
    "Beier und Kollegen (2015) beschrieben die ersten Ergebnisse des Projekts Dunkelfeld.",
    "Volgens Bogaerts et al. (2010) spelen hechtingsproblemen een rol.",
    "Karl Hanson and Kelly Babchishin (2016) compared the risk tools in a meta-analysis.",
    "Wilson, Cortoni and McWhinnie (2009) evaluated Circles in Canada.",
    "Eke, Seto and Williams (2011) followed 541 men for about four years.",
    "Walsh and colleagues report that parents often miss the warning signs.",
    "In de studie van Van Horn en collega's (2015) deden 60 behandelaars mee.",
    "Die Metaanalyse von Schmucker und Lösel (2015) umfasste 29 Vergleiche.",
    "Merdian et al. found that fantasy and offending are linked in complex ways.",
    "According to Gannon's (2019) review, group treatment is as effective as individual work.",
    "Seto (2018) argues that prevention should start before a first offence.",
    "Like Long, Alison and McManus (2016), we coded the interviews for grooming strategies.",
    # organisations and programmes
    "Stop It Now and the Lucy Faithfull Foundation trained 200 volunteers in 2022.",
    "Circles of Support and Accountability started in Canada and spread to the Netherlands.",
    "The Internet Watch Foundation removed more than 250,000 webpages in 2022.",
    "Europol and the National Crime Agency coordinated the operation across 12 countries.",
    "Kein Täter werden bietet an mehreren Standorten in Deutschland kostenlose Therapie an.",
    "Stop it Now Nederland biedt sinds 2012 een anonieme hulplijn aan.",
    "The Royal College of Psychiatrists published guidance on assessment in 2020.",
    "The Crown Prosecution Service and the Ministry of Justice agreed a joint protocol.",
    "Researchers at the University of Kent and Middlesex University led the evaluation.",
    "The Catholic Church and the Church of England both commissioned independent inquiries.",
    "The Youth Justice Board and the College of Policing issued joint guidance.",
    "The Stop It Now campaign ran on national radio in Ireland and Scotland.",
    "Ofsted and the Care Quality Commission inspect these services.",
    "Politie en Openbaar Ministerie in Nederland gebruiken sinds 2019 een vast triagemodel.",
    "Die Polizei in Nordrhein-Westfalen hat 2020 eine eigene Taskforce gebildet.",
    "The Council of Europe's Lanzarote Committee monitors implementation in member states.",
    # places at country or city level, ages and months that single nobody out
    "The programme was piloted in Manchester, Leeds and Cardiff before national roll-out.",
    "In Amsterdam, Rotterdam en Utrecht werken politie en zorg samen in Veiligheidshuizen.",
    "Das Projekt wurde 2005 an der Charité in Berlin gegründet.",
    "A 2018 Home Office study followed 400 men across England and Wales.",
    "Participants were on average 41 years old, and most lived in cities.",
    "Men aged 18 to 65 in Dublin and Cork were invited to take part in March 2021.",
    "The helpline received its 10,000th call in May 2020.",
    "Young people aged 13–17 were recruited through schools in Bavaria.",
    "The evaluation covered 14 prisons in England, Wales and Northern Ireland.",
    "The head teacher and the school nurse attended the training in London.",
    "A 35-year-old man from Birmingham was the typical caller in 2021.",
]

IDENTIFYING: list[tuple[str, str]] = IDENTIFYING_FIRST + IDENTIFYING_HARD
CLEAN: list[str] = CLEAN_FIRST + CLEAN_HARD
