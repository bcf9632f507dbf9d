# ruff: noqa: RUF001 - typographic dashes and quotes are part of realistic text
"""Labelled sentences for the anonymisation check.

Everything here is invented: names are fictional, e-mail domains are example.org, phone
numbers come from the ranges reserved for drama and documentation (Ofcom 020 7946 0xxx,
0113 496 0xxx and 07700 900xxx; North American 555-01xx; Australian 0491 570 xxx) or are
plainly fake, and IP addresses come from the documentation ranges (192.0.2.0/24,
198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32). No sentence is taken from a real case.

``IDENTIFYING`` pairs each sentence with the kind that must be found in it (others may be
found too). ``CLEAN`` sentences are professional prose full of numbers that are not
identifiers; any finding in one of them is a false positive.
"""

IDENTIFYING: list[tuple[str, str]] = [
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

CLEAN: list[str] = [
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
