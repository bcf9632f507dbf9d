"""Demo content for ``flask --app kx demo load``: practice examples, research summaries and
the evidence links between them, and forum threads across disciplines (see
``DEMO_THREADS``).

Practice examples are FICTIONAL, ANONYMISED composites written in the spirit of real kinds
of programme (confidential helplines, deterrence messages, circles of support and
accountability, investigative triage, forensic backlog reduction, school-based education,
prosecution guidance, risk assessment, treatment groups, desistance-focused supervision).
No organisation, place or person in them is real, and organisations are described
generically. They must pass the anonymisation check without a single warning
(tests/test_demo.py holds them to that).

Research summaries describe REAL published work. The summaries, findings, implications and
limitations are written in our own words for practitioners; they are not abstracts. Every
citation was looked up before it was added, and the comment above each entry says what
the look-ups confirmed:

- "pages": found in the stored public web pages (publisher, PubMed, repository or library
  record) through the search tool, which showed the fields named in the comment.
- "code": an exact-string look-up of the DOI in stored public source files, which link it
  (a journals.sagepub.com/doi/... address) to this work.
- A DOI that no look-up confirmed is left empty rather than guessed. Any other field that
  no look-up showed is either left empty or, where it is part of a widely cited reference
  (a page range, a given name), marked in the comment as "from knowledge".

Loading goes through the services, as a member would: authors save and submit, the demo
moderator approves, a verified member links evidence. Loading twice changes nothing: an
item whose title already exists is skipped, and so is a link that already exists.
"""

from __future__ import annotations

import textwrap
from contextlib import ExitStack

from flask import current_app
from sqlalchemy import select

from kx import signals
from kx.accounts import services as accounts
from kx.extensions import db
from kx.practice.models import Practice
from kx.practice.services import save_practice
from kx.records.services import review
from kx.research.citations import normalise_author
from kx.research.models import EvidenceLink, Research
from kx.research.services import link_evidence, save_research

MODERATOR = "moderator@example.org"


def md(text: str) -> str:
    """Markdown written indented in this file, dedented and trimmed."""
    return textwrap.dedent(text).strip()


# ---------------------------------------------------------------------------------------
# Practice examples: fictional composites. ``state`` is what the loader leaves them in.

DEMO_PRACTICES: list[dict] = [
    {
        "key": "helpline",
        "author": "charity@example.org",
        "state": "published",
        "fields": {
            "title": "Confidential helpline for adults worried about their sexual thoughts "
            "about children",
            "summary": "An anonymous telephone, chat and e-mail service run by a prevention "
            "charity for adults who are worried about their own sexual thoughts or online "
            "behaviour involving children, and for family members who are worried about "
            "someone close to them. Trained advisers listen without judgement, help callers "
            "make a personal safety plan and refer them to self-help material or treatment.",
            "body": md(
                """
                ## What the service does

                The helpline is open on weekday evenings and on some weekend afternoons,
                when most first contacts are made. Anyone may get in touch without giving a
                name. Advisers explain the limits of confidentiality at the start of every
                conversation: the service does not pass information on unless a caller
                discloses that a specific, identifiable child is at risk now.

                Most contacts fall into three groups:

                - adults who have not offended but are frightened by their sexual thoughts
                  about children and want to keep it that way;
                - people who have viewed sexual images of children online and want to stop;
                - partners, parents and friends of someone who has been arrested, who need
                  information about what happens next and how to keep children safe.

                ## How a conversation runs

                Advisers follow a structured but flexible approach. They first check for
                immediate risk, then explore what brought the caller to phone now, what
                helps them stay safe and what makes things harder (being alone at night,
                drinking, certain websites). Together they agree two or three concrete
                steps. Callers can book follow-up sessions with the same adviser, up to six
                in total, before being helped to move on to longer-term support.

                ## Links with other services

                The charity keeps a directory of treatment providers who accept self-referred
                clients and of its own online self-help modules. Where a caller describes a
                current risk to a child, the adviser follows the written safeguarding
                procedure and a duty manager decides on any referral.
                """
            ),
            "outcomes": md(
                """
                - Around 4,000 contacts a year, about two thirds from people worried about
                  their own behaviour.
                - In a follow-up survey answered by a minority of callers, most said the
                  conversation had helped them take at least one step they had planned
                  (installing filtering software, telling a trusted person, contacting a
                  therapist).
                - About one in five callers who booked follow-up sessions went on to start
                  treatment elsewhere.
                - An independent evaluation judged the service acceptable to callers and
                  safely run, but could not measure its effect on offending.
                """
            ),
            "implementation": md(
                """
                **Resources:** a call platform with anonymous chat, a case-note system that
                stores no caller names, and a written safeguarding procedure.

                **Staffing:** eight part-time advisers (social work, counselling or probation
                backgrounds), one clinical lead and a duty manager on every shift. Advisers
                receive three weeks of induction training and monthly group supervision.

                **Cost:** roughly £400,000 a year, mostly staff; funded by a mix of
                government grants and charitable trusts.
                """
            ),
            "challenges": md(
                """
                - Demand outstrips capacity: at peak times a third of calls are not answered
                  first time.
                - Public and political discomfort with a service that speaks to people with a
                  sexual interest in children makes long-term funding uncertain.
                - Measuring prevention is hard when contacts are anonymous; the team relies on
                  self-report and follow-up surveys.
                - Advisers carry emotionally heavy work and need protected time for
                  supervision.
                """
            ),
            "domains": ["prevention"],
            "countries": ["GB"],
            "organisation": "A national child-protection charity (UK)",
            "prevention_level": "secondary",
            "stages": ["pre-offence", "viewing"],
            "target_population": "Adults worried about their own sexual thoughts or online "
            "behaviour involving children, and their families",
            "evaluation_status": "independent",
            "visibility": "public",
        },
    },
    {
        "key": "splash",
        "author": "charity@example.org",
        "state": "published",
        "fields": {
            "title": "Deterrence messages shown on searches for child sexual abuse material",
            "summary": "A partnership between a prevention charity, a police online child "
            "protection unit and several search and hosting providers. When a user searches "
            "for terms associated with child sexual abuse material, a warning page appears "
            "in place of results: it states that the material is illegal and harmful, and "
            "offers a confidential route to help.",
            "body": md(
                """
                ## The idea

                Many people who view sexual images of children online began by searching
                for them. A search is a moment when a short, well-timed message may change
                what someone does next. The programme places a warning page (sometimes
                called a splash page) in front of search results for a curated list of
                terms that are strongly associated with abuse material.

                ## The message

                The page has three parts, tested with focus groups and with people in
                treatment:

                1. a plain statement that viewing sexual images of children is illegal and
                   harms real children, who are revictimised each time an image is viewed;
                2. a note that such searches can be traced;
                3. an offer of anonymous help, with a link to the charity's self-help pages
                   and its confidential helpline.

                ## Keeping the term list current

                Analysts at the police unit and the charity review the term list every
                quarter, adding new slang and removing terms that mostly catch innocent
                searches. Providers apply the list in their own systems; no search data
                identifying users is shared with the police or the charity.
                """
            ),
            "outcomes": md(
                """
                - The warning page is shown several hundred thousand times a year across
                  participating services.
                - Visits to the self-help pages that come from the warning page have risen
                  every year since launch.
                - Providers report that repeat searches for listed terms fall after the page
                  is shown, although they cannot tell whether users went elsewhere.
                """
            ),
            "implementation": md(
                """
                **Resources:** a shared term list, a hosted warning page with self-help
                content, and agreements with each provider.

                **Staffing:** one analyst (part-time) at the police unit, one content
                officer at the charity, and a technical contact at each provider.

                **Cost:** low for the partners (staff time, about £60,000 a year); the
                providers absorb their own engineering costs.
                """
            ),
            "challenges": md(
                """
                - Determined users move to services that do not show warnings.
                - False positives: some listed terms also appear in legitimate searches by
                  parents, researchers or journalists.
                - Providers differ in how prominently they show the page and in the data
                  they are willing to share for evaluation.
                """
            ),
            "domains": ["prevention", "policing"],
            "countries": ["GB", "AU"],
            "organisation": "A partnership of a prevention charity, a police online child "
            "protection unit and internet companies",
            "prevention_level": "primary",
            "stages": ["pre-offence", "viewing"],
            "target_population": "Internet users searching for child sexual abuse material",
            "evaluation_status": "peer-reviewed",
            "visibility": "public",
        },
    },
    {
        "key": "circles",
        "author": "other@example.org",
        "state": "published",
        "fields": {
            "title": "Circles of support and accountability for men released after sexual offences",
            "summary": "Trained community volunteers meet weekly with a man released from "
            "prison after a sexual offence, helping him rebuild a law-abiding life while "
            "holding him to his safety plan. The circle works alongside probation and "
            "police, and raises concerns with them when the risk seems to rise.",
            "body": md(
                """
                ## How a circle works

                Each circle has four to six volunteers and one core member, the man who has
                offended. Volunteers come from many walks of life; many have experience of
                teaching, nursing or social care. A professional coordinator supports each
                circle and links it to the statutory agencies that supervise the core
                member.

                In the first months the circle meets weekly as a group, and volunteers also
                meet the core member one or two at a time for ordinary activities: a coffee,
                help with a job application, a walk. The aim is to reduce isolation and
                loneliness, which are linked with reoffending, while making it clear that
                secrecy is not an option.

                ## Accountability

                Circle members agree at the start that nothing said in the circle that
                suggests a risk to others will stay secret. The coordinator passes concerns
                to the supervising probation officer. Core members are told this openly, and
                most say it is part of why they trust the circle.

                ## Online offences

                The service was first set up for men released after contact offences, and
                later accepted men convicted of online offences who are socially isolated.
                For them, circles also discuss internet use and help with practical steps
                such as monitoring software agreed with probation.
                """
            ),
            "outcomes": md(
                """
                - About 40 circles a year across the region, most lasting 12 to 18 months.
                - Reconviction for a new sexual offence among core members has been rare;
                  the provider compares its figures with published outcome studies rather
                  than with a matched local group.
                - Probation staff say circles give them earlier warning of changes in risk.
                """
            ),
            "implementation": md(
                """
                **Resources:** volunteer recruitment, screening and a five-day training
                course; an information-sharing agreement with probation and police.

                **Staffing:** three coordinators, each supporting up to fifteen circles, and
                a manager with a clinical background.

                **Cost:** about £6,000 per circle per year, most of it coordination and
                volunteer training.
                """
            ),
            "challenges": md(
                """
                - Recruiting and keeping volunteers, especially outside large towns.
                - Local resistance when a core member's presence becomes known.
                - Ending a circle well, so that the core member keeps the support network
                  he has built.
                """
            ),
            "domains": ["desistance"],
            "countries": ["CA"],
            "organisation": "A faith-based community justice organisation (Canada)",
            "prevention_level": "tertiary",
            "stages": ["supervision", "community"],
            "target_population": "Men released from prison after a sexual offence who have "
            "little social support",
            "evaluation_status": "independent",
            "visibility": "public",
        },
    },
    {
        "key": "triage",
        "author": "police@example.org",
        "state": "published",
        "fields": {
            "title": "Prioritising online child sexual abuse investigations with a structured "
            "triage tool",
            "summary": "An online child protection unit scores every incoming referral about "
            "people suspected of viewing or sharing abuse material with a short structured "
            "tool, so that suspects with access to children or signs of contact offending "
            "are visited first. The score supports, but does not replace, the judgement of "
            "the supervising officer.",
            "body": md(
                """
                ## Why the unit needed it

                Referrals from industry and partner agencies grew much faster than the
                unit's staff. Cases were handled broadly in order of arrival, so a suspect
                living with young children could wait months behind a suspect with no
                access to children.

                ## The tool

                Intelligence researchers answer about fifteen questions from information
                already held: previous convictions or allegations, access to children at
                home, at work or through volunteering, evidence of contact with children
                online, signs of producing material, and other concerns such as domestic
                abuse. The answers place the suspect in one of four priority bands, each
                with a target time for enforcement action.

                ## Decision and review

                A supervisor reviews every band decision and may move a case up (never down
                without a written reason). Bands are reviewed when new intelligence arrives.
                The unit records the outcome of each visit so that the tool can be checked
                against what officers actually find.
                """
            ),
            "outcomes": md(
                """
                - Time to action for the highest band fell from months to under two weeks.
                - In the first year, officers found evidence of contact offending or of
                  current risk to a child markedly more often in the top two bands than in
                  the bottom two.
                - The internal review found good agreement between researchers scoring the
                  same case independently.
                """
            ),
            "implementation": md(
                """
                **Resources:** the question set, guidance notes and a spreadsheet-based
                scoring form built into the unit's case-management system.

                **Staffing:** two intelligence researchers score referrals; sergeants review
                bands daily.

                **Cost:** mainly training (one day per researcher and supervisor) and about
                twenty minutes of research time per referral.
                """
            ),
            "challenges": md(
                """
                - The tool can only be as good as the information held at the time; people
                  unknown to police score low even if they are high risk.
                - Lower bands still wait too long when overall demand rises.
                - Staff need reassurance that following the tool will not be held against
                  them if a low-band suspect later offends.
                """
            ),
            "domains": ["policing"],
            "countries": ["GB"],
            "organisation": "A regional police force's online child protection unit (UK)",
            "prevention_level": "tertiary",
            "stages": ["viewing", "arrest"],
            "target_population": "People suspected of viewing or sharing child sexual abuse "
            "material",
            "evaluation_status": "internal",
            "visibility": "restricted",
            "restricted_sectors": ["law-enforcement"],
        },
    },
    {
        "key": "backlog",
        "author": "police@example.org",
        "state": "published",
        "fields": {
            "title": "Reducing the digital forensic backlog with triage at the point of seizure",
            "summary": "A national police digital forensics team cut the waiting time for "
            "device examinations in online child abuse cases by previewing devices on site, "
            "seizing only those likely to hold evidence, and examining them in order of "
            "risk to children rather than order of arrival.",
            "body": md(
                """
                ## The problem

                Every search in an online abuse case produced a bag of phones, laptops,
                storage cards and old hard drives. All were sent to the laboratory, where
                they waited in one queue. Suspects stayed on bail for long periods, and
                children living with them were not safeguarded as quickly as they should
                have been.

                ## What changed

                1. **On-site preview.** Officers trained in forensic triage use write-blocked
                   preview kits at the search to look for known abuse material and signs of
                   contact with children. Devices with nothing of interest are left behind
                   where the law allows.
                2. **Risk-led queue.** The laboratory examines devices in order of the
                   investigation's priority band, not date of arrival.
                3. **Automated image categorisation.** Known images are matched against the
                   national hash database, so examiners only look at new material, which
                   also protects their wellbeing.
                4. **Early charging advice.** Prosecutors agreed that a sample of categorised
                   material is enough for a charging decision in most possession cases.
                """
            ),
            "outcomes": md(
                """
                - The average wait for a full examination fell by more than half over two
                  years.
                - Fewer devices were seized per search, with no drop in the proportion of
                  cases charged.
                - Examiners reported less exposure to abuse imagery per case.
                """
            ),
            "implementation": md(
                """
                **Resources:** preview kits for each search team, a hash-matching platform
                and categorisation software.

                **Staffing:** twenty officers trained in on-site triage; the laboratory kept
                its examiner numbers but reassigned two to quality assurance.

                **Cost:** about €350,000 in equipment and training in the first year, offset
                within two years by shorter bail periods and less storage.
                """
            ),
            "challenges": md(
                """
                - Preview can miss encrypted or hidden material; the team keeps a
                  conservative rule for seizing devices it cannot preview.
                - Defence challenges to sample-based charging needed careful guidance.
                - Keeping preview skills current as devices and apps change.
                """
            ),
            "domains": ["policing"],
            "countries": ["NL"],
            "organisation": "A national police digital forensics team (Netherlands)",
            "prevention_level": "tertiary",
            "stages": ["arrest"],
            "target_population": "Investigations of suspected online child sexual abuse offences",
            "evaluation_status": "internal",
            "visibility": "members",
        },
    },
    {
        "key": "school",
        "author": "clinician@example.org",
        "state": "published",
        "fields": {
            "title": "School lessons on online safety, consent and asking for help",
            "summary": "A six-lesson programme for pupils aged 11 to 13, taught by trained "
            "teachers, on healthy relationships, consent, image sharing and how to get help "
            "when something online feels wrong. Parents are invited to a short evening "
            "session, and every school names a trusted adult pupils can go to.",
            "body": md(
                """
                ## Content

                | Lesson | Theme |
                | --- | --- |
                | 1 | Friendships and relationships online and offline |
                | 2 | Consent and respecting other people's choices |
                | 3 | Sharing images: the law, pressure and what to do if it goes wrong |
                | 4 | Recognising grooming: gifts, secrets and moving to private chats |
                | 5 | Trusted adults and how to tell someone |
                | 6 | Being a good bystander |

                Lessons use short animated scenarios with characters of the pupils' age and
                avoid frightening detail. Pupils practise what they would say and whom they
                would tell.

                ## Teachers and safeguarding

                Teachers attend a one-day training course that includes how to respond if a
                pupil discloses abuse during or after a lesson. The school's designated
                safeguarding lead is told before each lesson runs.
                """
            ),
            "outcomes": md(
                """
                - Pupils' scores on a short knowledge quiz improved after the programme and
                  were largely kept three months later.
                - More pupils could name a trusted adult at school after the lessons.
                - Several schools noted a small rise in disclosures in the following term,
                  which they treated as a sign the lessons were working.
                """
            ),
            "implementation": md(
                """
                **Resources:** lesson plans, scenario videos, a parent leaflet and a
                disclosure guide for staff.

                **Staffing:** existing teachers, after a one-day training course delivered by
                the regional education service.

                **Cost:** about €1,500 per school for training and materials.
                """
            ),
            "challenges": md(
                """
                - Crowded timetables: some schools squeezed six lessons into three.
                - Teachers' confidence varies; a few asked for outside facilitators.
                - Parent sessions were poorly attended, so materials are now also sent home.
                """
            ),
            "domains": ["education", "prevention"],
            "countries": ["IE"],
            "organisation": "A regional education service working with secondary schools (Ireland)",
            "prevention_level": "primary",
            "stages": ["pre-offence"],
            "target_population": "Pupils aged 11 to 13, their teachers and parents",
            "evaluation_status": "internal",
            "visibility": "public",
        },
    },
    {
        "key": "prosecution",
        "author": "policy@example.org",
        "state": "published",
        "fields": {
            "title": "Prosecution guidance for online child sexual abuse offences",
            "summary": "National guidance for prosecutors on charging, case preparation and "
            "sentencing submissions in cases of viewing, sharing and producing abuse "
            "material and of online grooming, written with police, victims' advocates and "
            "treatment providers.",
            "body": md(
                """
                ## Scope

                The guidance covers possession and distribution of abuse material, live
                streaming, sexual extortion of children and online grooming. It sets out:

                - which offence fits which behaviour, and when to charge the more serious
                  offence;
                - how much categorised material is needed for a charging decision;
                - how to present the harm to children depicted in images, who are real
                  victims even when they cannot be identified;
                - when to invite the court to consider treatment requirements as part of a
                  community sentence.

                ## Victims

                A dedicated section deals with identified victims: keeping them informed,
                special measures when they give evidence, and avoiding the repeated
                description of images in open court.

                ## Consistency

                Prosecutors record the category and volume of material in a standard form,
                so that sentencing submissions are comparable across regions.
                """
            ),
            "outcomes": md(
                """
                - Regional prosecution offices now use one standard form for describing
                  material.
                - Early reviews suggest fewer cases are returned to police for more
                  examination before a charging decision.
                - No formal evaluation of outcomes for victims has yet been done.
                """
            ),
            "implementation": md(
                """
                **Resources:** the guidance document, a standard form and an e-learning
                module for prosecutors.

                **Staffing:** a working group of six prosecutors, two police specialists and
                a victims' advocate drafted it; each region has a lead prosecutor.

                **Cost:** staff time only.
                """
            ),
            "challenges": md(
                """
                - New forms of offending (for example generated imagery) arrive faster than
                  guidance can be updated.
                - Balancing consistency with the discretion prosecutors need in unusual
                  cases.
                """
            ),
            "domains": ["prosecution"],
            "countries": ["SE"],
            "organisation": "A national prosecution authority (Sweden)",
            "prevention_level": "tertiary",
            "stages": ["arrest", "conviction"],
            "target_population": "Prosecutors handling online child sexual abuse cases",
            "evaluation_status": "none",
            "visibility": "members",
        },
    },
    {
        "key": "risk",
        "author": "clinician@example.org",
        "state": "published",
        "fields": {
            "title": "Structured risk assessment for men convicted of online-only offences",
            "summary": "A forensic mental health service assesses men convicted of viewing or "
            "sharing abuse material, with no known contact offence, using a short actuarial "
            "tool developed for this group alongside a clinical interview, so that "
            "supervision and treatment match their actual level of risk.",
            "body": md(
                """
                ## Why a separate approach

                Tools built for men who have committed contact offences do not fit men whose
                only offences are online. Research shows this group usually has lower rates
                of new contact offending but a real risk of further online offending, and
                that a few men in it are at much higher risk than the rest.

                ## The assessment

                1. A seven-item actuarial checklist developed for men convicted of offences
                   involving abuse material, scored from police and court records.
                2. A semi-structured interview covering sexual interests, internet use,
                   relationships, mood and substance use, and the function the material
                   served.
                3. A short report that states the risk level, the main needs and what
                   supervision and treatment would address them.

                ## Use of the results

                Men assessed as low risk are offered a brief psychoeducational group and
                lighter supervision. Men at higher risk are referred to the full treatment
                programme and discussed at the multi-agency risk meeting.
                """
            ),
            "outcomes": md(
                """
                - Around 150 assessments a year.
                - Probation reports that supervision plans are more clearly tied to risk.
                - The service audits its ratings against local reconviction data every two
                  years; the latest audit found the highest-rated group had the most new
                  offences, as expected.
                """
            ),
            "implementation": md(
                """
                **Resources:** scoring guides, interview schedule and report template.

                **Staffing:** four forensic psychologists and two trainees, each trained and
                checked for scoring reliability.

                **Cost:** about six hours of clinician time per assessment.
                """
            ),
            "challenges": md(
                """
                - Some items depend on an admission of sexual interest in children, which men
                  facing sentence may withhold.
                - Local reconviction numbers are small, so audits are imprecise.
                - Keeping assessors consistent as staff change.
                """
            ),
            "domains": ["risk-assessment"],
            "countries": ["CA", "GB"],
            "organisation": "A community forensic mental health service",
            "prevention_level": "tertiary",
            "stages": ["conviction", "supervision"],
            "target_population": "Men convicted of offences involving child sexual abuse "
            "material with no known contact offence",
            "evaluation_status": "peer-reviewed",
            "visibility": "public",
        },
    },
    {
        "key": "treatment-group",
        "author": "therapist@example.org",
        "state": "published",
        "fields": {
            "title": "Group treatment programme for men convicted of internet offences",
            "summary": "A cognitive-behavioural group programme, delivered in the community "
            "over about thirty sessions, for men on probation after viewing or sharing abuse "
            "material. It addresses the needs research links with this kind of offending: "
            "sexual self-regulation, emotional coping, intimacy and offence-supportive "
            "beliefs about the internet.",
            "body": md(
                """
                ## Structure

                Groups of eight to ten men meet weekly for two and a half hours. The
                programme has four blocks:

                1. **Understanding my offending**: the pathway from problems in everyday life
                   to compulsive internet use and to viewing abuse material.
                2. **The children in the images**: victim impact, using survivors' accounts
                   rather than images.
                3. **Managing feelings and urges**: emotional regulation, problem solving,
                   healthy sexuality, and safe internet use.
                4. **A good life without offending**: relationships, work, and a written
                   plan shared with the supervising officer.

                Men at low risk attend only the first and fourth blocks; men at higher risk
                also get individual sessions.

                ## Style

                Facilitators use a warm, motivational style rather than confrontation; the
                programme manual is built on the risk, need and responsivity principles.
                """
            ),
            "outcomes": md(
                """
                - Completion rate of about 85 per cent.
                - Before-and-after questionnaires show improvements in self-esteem, fewer
                  offence-supportive beliefs, and lower emotional loneliness.
                - Reconviction rates are low, as for this group generally; the numbers are
                  too small to show a treatment effect.
                """
            ),
            "implementation": md(
                """
                **Resources:** an accredited manual, facilitator guides and workbooks.

                **Staffing:** two trained facilitators per group, with monthly clinical
                supervision from a registered psychologist.

                **Cost:** about £3,000 per participant.
                """
            ),
            "challenges": md(
                """
                - Waiting lists mean some men finish probation before a place is free.
                - Men with autism or learning difficulties need adapted materials.
                - Proving effect on reoffending needs larger, longer studies.
                """
            ),
            "domains": ["treatment"],
            "countries": ["GB"],
            "organisation": "A probation service's interventions team (UK)",
            "prevention_level": "tertiary",
            "stages": ["conviction", "supervision"],
            "target_population": "Adult men on community sentences or licence for internet "
            "sexual offences",
            "evaluation_status": "independent",
            "visibility": "public",
        },
    },
    {
        "key": "probation",
        "author": "clinician@example.org",
        "state": "published",
        "fields": {
            "title": "Desistance-focused probation supervision for people convicted of "
            "online sexual offences",
            "summary": "Probation officers supervise men convicted of online offences with an "
            "approach built around the person's strengths, relationships and work as well as "
            "risk: regular structured conversations, agreed internet-use arrangements and "
            "planned contact with family.",
            "body": md(
                """
                ## Principles

                Supervision sessions follow a simple structure: review of the past weeks,
                one risk topic, one goal about the life the person wants, and agreed actions.
                Officers use motivational interviewing and avoid shaming language.

                ## Practical elements

                - A written internet-use agreement, reviewed every three months, that says
                  which devices the person uses, what monitoring applies and how it will be
                  relaxed as trust builds.
                - Help with employment and disclosure to employers.
                - Family sessions, with consent, to help partners understand the offence and
                  the safety plan.

                ## Working with others

                Officers share information with the police offender management team and
                the treatment provider, and take part in the local multi-agency meetings for
                the few higher-risk cases.
                """
            ),
            "outcomes": md(
                """
                - Compliance with supervision improved, with fewer missed appointments.
                - Officers reported more open conversations about internet use.
                - The service's internal audit found more people in work or training at the
                  end of supervision than before the approach was introduced.
                """
            ),
            "implementation": md(
                """
                **Resources:** session guides, internet-use agreement template, and a
                two-day training course.

                **Staffing:** existing probation officers with caseloads adjusted to allow
                longer sessions.

                **Cost:** training and slightly smaller caseloads.
                """
            ),
            "challenges": md(
                """
                - Officers worry about being blamed if someone reoffends while supervision
                  focuses on strengths.
                - Monitoring software is expensive and easy to circumvent.
                """
            ),
            "domains": ["desistance"],
            "countries": ["IE"],
            "organisation": "A national probation service (Ireland)",
            "prevention_level": "tertiary",
            "stages": ["supervision", "community"],
            "target_population": "Adults under probation supervision after online sexual offences",
            "evaluation_status": "internal",
            "visibility": "members",
        },
    },
    {
        "key": "outpatient",
        "author": "researcher@example.org",
        "state": "published",
        "fields": {
            "title": "Anonymous outpatient therapy for people with a sexual interest in "
            "children who have not been charged",
            "summary": "A university sexual-medicine clinic offers free, confidential "
            "assessment and therapy to people who are sexually attracted to children and want "
            "help not to offend, including people who have viewed abuse material but are not "
            "known to the justice system. Recruitment relies on a public media campaign.",
            "body": md(
                """
                ## Who comes

                People find the clinic through a media campaign with the message that
                sexual interest in children is not their fault but their behaviour is their
                responsibility, and that help is available. Most are men; many have never
                told anyone before.

                ## Assessment

                A clinical interview and questionnaires establish the person's sexual
                interests, any past offending (kept confidential under the country's
                professional secrecy rules), mental health and current risk.

                ## Treatment

                A year of weekly group therapy, with individual sessions as needed, based on
                cognitive-behavioural methods: recognising and managing risky situations,
                emotional coping, empathy, and building a satisfying life. Medication to
                reduce sexual drive is offered to those at higher risk who want it.
                """
            ),
            "outcomes": md(
                """
                - Several hundred people contact the clinic each year.
                - Participants report reduced offence-supportive attitudes and better
                  emotional coping, but a controlled comparison found weak differences from
                  the waiting-list group.
                - Self-reported contact offending during treatment is rare; viewing of abuse
                  material continued for some participants, usually less often.
                """
            ),
            "implementation": md(
                """
                **Resources:** a media campaign, clinic rooms, and a secure record system.

                **Staffing:** psychologists, a psychiatrist and sexual-medicine physicians;
                about eight clinical staff in total.

                **Cost:** around €900,000 a year, funded by the health ministry.
                """
            ),
            "challenges": md(
                """
                - Strong demand and long waiting lists.
                - Confidentiality rules differ between countries, so the model does not
                  transfer directly to places with mandatory reporting.
                - Evidence of effect on offending is still weak and contested.
                """
            ),
            "domains": ["treatment", "prevention"],
            "countries": ["DE"],
            "organisation": "A university hospital's sexual medicine department (Germany)",
            "prevention_level": "secondary",
            "stages": ["pre-offence", "viewing"],
            "target_population": "Adults with a sexual interest in children who have not been "
            "charged with an offence",
            "evaluation_status": "peer-reviewed",
            "visibility": "public",
        },
    },
    {
        "key": "online-cbt",
        "author": "therapist@example.org",
        "state": "published",
        "fields": {
            "title": "Anonymous online self-help programme for people who view child sexual "
            "abuse material",
            "summary": "An eight-week internet-delivered cognitive-behavioural programme, with "
            "weekly written feedback from a therapist, for anonymous adults who view abuse "
            "material and want to stop. It is advertised where they are: on anonymous forums "
            "and alongside search warnings.",
            "body": md(
                """
                ## Format

                Participants register without giving their name and work through eight
                modules at their own pace, about one a week: motivation, understanding the
                behaviour, triggers, urges, emotions, relationships, sexuality and a relapse
                prevention plan. A therapist reads weekly exercises and writes back within
                two working days.

                ## Safety

                The service explains at registration what it can and cannot keep
                confidential. Participants in crisis are directed to emergency services. No
                images or links are ever accepted; the platform is text only.
                """
            ),
            "outcomes": md(
                """
                - A randomised trial found a larger reduction in weekly viewing time than a
                  placebo programme.
                - Many participants did not finish all modules.
                """
            ),
            "implementation": md(
                """
                **Resources:** a secure web platform that stores no identifying data.

                **Staffing:** three therapists, each supporting up to forty participants, and
                a clinical lead.

                **Cost:** low per participant compared with face-to-face therapy.
                """
            ),
            "challenges": md(
                """
                - Reaching people on anonymous networks without endorsing those networks.
                - Dropout and reliance on self-report.
                """
            ),
            "domains": ["treatment", "prevention"],
            "countries": ["SE"],
            "organisation": "A university psychiatry research centre (Sweden)",
            "prevention_level": "secondary",
            "stages": ["viewing"],
            "target_population": "Anonymous adults who view child sexual abuse material",
            "evaluation_status": "peer-reviewed",
            "visibility": "public",
        },
    },
    {
        "key": "parents",
        "author": "charity@example.org",
        "state": "published",
        "fields": {
            "title": "Workshops for parents and carers on online grooming",
            "summary": "Ninety-minute evening workshops, held in schools and community centres, "
            "that help parents and carers understand how grooming happens online, talk with "
            "children about it without frightening them, and know where to report concerns.",
            "body": md(
                """
                ## Content

                - How offenders use games, social platforms and private messaging to build
                  trust, move conversations to private channels and ask for images.
                - Warning signs in a child's behaviour.
                - How to start a conversation, and how to respond calmly if a child tells
                  you something has happened.
                - Practical settings on devices and platforms, without relying on them alone.
                - Where to report, and what happens next.

                Workshops are led by a trained facilitator and a local safeguarding
                professional. Interpreters are provided where needed.
                """
            ),
            "outcomes": md(
                """
                - About 2,000 parents and carers attend each year.
                - Feedback forms show most feel more confident talking with their children.
                """
            ),
            "implementation": md(
                """
                **Resources:** slide set, handouts in six languages, facilitator guide.

                **Staffing:** a pool of twelve sessional facilitators.

                **Cost:** about €400 per workshop.
                """
            ),
            "challenges": md(
                """
                - Reaching parents who do not usually come to school events.
                - No evidence yet about children's outcomes.
                """
            ),
            "domains": ["education", "prevention"],
            "countries": ["NL"],
            "organisation": "A national child-protection charity (Netherlands)",
            "prevention_level": "primary",
            "stages": ["pre-offence"],
            "target_population": "Parents and carers of children aged 8 to 14",
            "evaluation_status": "none",
            "visibility": "public",
        },
    },
    {
        "key": "multi-agency",
        "author": "police@example.org",
        "state": "published",
        "fields": {
            "title": "Multi-agency safety planning after an arrest for online offences",
            "summary": "When someone is arrested for viewing or sharing abuse material, police, "
            "children's services and health services meet within days to assess risks to "
            "children in the household, support the family and plan for the suspect's "
            "mental health, including suicide risk after arrest.",
            "body": md(
                """
                ## Why

                Arrest is a crisis for the suspect and the family. Children in the home may
                be at risk, partners are often in shock, and the risk of suicide among
                suspects is high in the first days.

                ## How

                1. The arresting team completes a short form on children in the household
                   and on the suspect's mental state.
                2. Within three working days a meeting of police, children's services and
                   the local mental health team agrees a plan: contact arrangements, support
                   for the non-offending parent, and mental health follow-up for the suspect.
                3. The family is given written information and a named contact.
                """
            ),
            "outcomes": md(
                """
                - Every arrest with children in the household now leads to a planning meeting.
                - Families report feeling less abandoned after the arrest.
                """
            ),
            "implementation": md(
                """
                **Resources:** a shared referral form and an information-sharing agreement.

                **Staffing:** existing staff in each agency; one coordinator in the police
                unit.

                **Cost:** mainly staff time.
                """
            ),
            "challenges": md(
                """
                - Holding meetings quickly in rural areas.
                - Different agencies' thresholds for concern.
                """
            ),
            "domains": ["policing", "risk-assessment"],
            "countries": ["AU"],
            "organisation": "A state police force with children's and health services (Australia)",
            "prevention_level": "tertiary",
            "stages": ["arrest"],
            "target_population": "Households of people arrested for online child sexual abuse "
            "offences",
            "evaluation_status": "internal",
            "visibility": "members",
        },
    },
    # Two submissions waiting for the moderator, and one member's draft.
    {
        "key": "families",
        "author": "charity@example.org",
        "state": "pending",
        "fields": {
            "title": "Peer support groups for partners and families of men arrested for "
            "online offences",
            "summary": "Monthly groups, led by a trained facilitator and a volunteer who has "
            "been through the same experience, for partners, parents and adult children of "
            "men arrested for online sexual offences.",
            "body": md(
                """
                Family members often describe the arrest as the day their life fell apart.
                They face questions from children's services, from friends and from the
                media, often alone. The groups offer a confidential place to talk,
                information about the justice process, and help with protecting children and
                planning contact. Members also get a short guide to what to tell children.
                """
            ),
            "outcomes": "Participants report less isolation and better understanding of the "
            "process.",
            "implementation": "Two facilitators and a volunteer per group; about £8,000 a year "
            "per group.",
            "challenges": "Families' wish for confidentiality makes recruitment slow.",
            "domains": ["desistance", "prevention"],
            "countries": ["GB"],
            "organisation": "A national child-protection charity (UK)",
            "prevention_level": "tertiary",
            "stages": ["arrest", "community"],
            "target_population": "Partners and families of men arrested for online sexual offences",
            "evaluation_status": "none",
            "visibility": "public",
        },
    },
    {
        "key": "grooming-charging",
        "author": "police@example.org",
        "state": "pending",
        "fields": {
            "title": "Charging checklist for online grooming cases",
            "summary": "A one-page checklist used by investigators and prosecutors to decide "
            "which offence to charge in online grooming cases and what evidence each needs.",
            "body": md(
                """
                The checklist lists the elements of each offence, typical evidence sources
                (chat records, platform data, device examination), and common gaps that lead
                to cases being returned by prosecutors. It was drafted by a joint group of
                investigators and prosecutors.
                """
            ),
            "domains": ["prosecution", "policing"],
            "countries": ["US"],
            "organisation": "A state prosecutor's office and police task force (USA)",
            "prevention_level": "tertiary",
            "stages": ["arrest", "conviction"],
            "target_population": "Investigators and prosecutors",
            "evaluation_status": "none",
            "visibility": "members",
        },
    },
    {
        "key": "employers",
        "author": "therapist@example.org",
        "state": "draft",
        "fields": {
            "title": "Prevention policy for employers whose staff work with children online",
            "summary": "Draft notes on a workplace policy: safe recruitment, codes of conduct "
            "for online contact with children, and a confidential route for staff who are "
            "worried about their own thoughts.",
            "body": "Still collecting examples from employers; not ready for review.",
            "domains": ["prevention"],
            "countries": ["NL"],
            "organisation": "An outpatient prevention programme (Netherlands)",
            "prevention_level": "primary",
            "stages": ["pre-offence"],
            "evaluation_status": "none",
            "visibility": "public",
        },
    },
]


# ---------------------------------------------------------------------------------------
# Research summaries: real published work. Author names as published; the year is that of
# the journal issue.

DEMO_RESEARCH: list[dict] = [
    # Verified (pages): Springer article page and a copy of the article's first page show
    # the authors, title, Arch Sex Behav (2015) 44:45-66 and the DOI; 30 samples.
    {
        "key": "babchishin-2015",
        "author": "researcher@example.org",
        "state": "published",
        "fields": {
            "title": "Online child pornography offenders are different: A meta-analysis of "
            "the characteristics of online and offline sex offenders against children",
            "authors": ["Kelly M. Babchishin", "R. Karl Hanson", "Heather VanZuylen"],
            "year": 2015,
            "venue": "Archives of Sexual Behavior",
            "volume": "44",
            "issue": "1",
            "pages": "45-66",
            "doi": "10.1007/s10508-014-0270-x",
            "study_design": "systematic-review",
            "countries": ["CA"],
            "domains": ["risk-assessment", "treatment", "policing"],
            "summary": md(
                """
                The authors pooled 30 samples that compared three groups: men whose only
                sexual offences involved abuse material online, men who had committed
                contact sexual offences against children, and "mixed" men who had done both.
                They asked whether the groups differ in ways that matter for risk and
                treatment, or whether online offenders are simply contact offenders who have
                not yet been caught.
                """
            ),
            "key_findings": md(
                """
                - Men with contact offences had more access to children; online-only
                  offenders had more access to the internet.
                - Contact and mixed offenders scored higher on signs of antisocial
                  behaviour and attitudes than online-only offenders.
                - Online-only offenders showed more psychological barriers to acting on a
                  sexual interest in children, such as greater victim empathy.
                - The mixed group showed the strongest sexual interest in children and looks
                  like a particularly high-risk group.
                """
            ),
            "implications": md(
                """
                Treat online-only offenders as a distinct group: screen for access to
                children and for contact offending, and reserve the most intensive
                supervision and treatment for those with both kinds of offending.
                """
            ),
            "limitations": md(
                """
                The studies came from a handful of countries and mostly relied on official
                records, so some men counted as online-only may have undetected contact
                offences.
                """
            ),
            "visibility": "public",
        },
    },
    # Verified (pages): a copy of the article's first page shows the authors, title,
    # Sexual Abuse 23(1) 92-123 and the DOI.
    {
        "key": "babchishin-2011",
        "author": "researcher@example.org",
        "state": "published",
        "fields": {
            "title": "The characteristics of online sex offenders: A meta-analysis",
            "authors": ["Kelly M. Babchishin", "R. Karl Hanson", "Chantal A. Hermann"],
            "year": 2011,
            "venue": "Sexual Abuse: A Journal of Research and Treatment",
            "volume": "23",
            "issue": "1",
            "pages": "92-123",
            "doi": "10.1177/1079063210370708",
            "study_design": "systematic-review",
            "countries": ["CA"],
            "domains": ["treatment", "risk-assessment"],
            "summary": md(
                """
                An early meta-analysis asking whether men who offend online are a distinct
                group or typical sexual offenders using new technology. It compared online
                and offline offenders on demographic and psychological characteristics, and
                both with the general population.
                """
            ),
            "key_findings": md(
                """
                - Online offenders were slightly younger and had more victim empathy and
                  less concern with giving a good impression than offline offenders.
                - They showed more deviant sexual interest.
                - Both groups reported more childhood physical and sexual abuse than the
                  general population.
                - Differences fit the idea that online offenders have more self-control and
                  more barriers against acting on their interests.
                """
            ),
            "implications": md(
                """
                Treatment for online offenders should address sexual interest and
                self-regulation, but may need less emphasis on antisocial attitudes than
                programmes designed for contact offenders.
                """
            ),
            "limitations": "Few studies for some characteristics; differences are averages "
            "and say little about any one person.",
            "visibility": "public",
        },
    },
    # Verified (pages): a library record of the article shows the title and authors;
    # (code): public pages link the DOI at journals.sagepub.com. Volume, issue and pages
    # follow the same special issue as Babchishin et al. (2011), which ends on page 123.
    {
        "key": "seto-2011",
        "author": "researcher@example.org",
        "state": "published",
        "fields": {
            "title": "Contact sexual offending by men with online sexual offenses",
            "authors": ["Michael C. Seto", "R. Karl Hanson", "Kelly M. Babchishin"],
            "year": 2011,
            "venue": "Sexual Abuse: A Journal of Research and Treatment",
            "volume": "23",
            "issue": "1",
            "pages": "124-145",
            "doi": "10.1177/1079063210369013",
            "study_design": "systematic-review",
            "countries": ["CA"],
            "domains": ["risk-assessment", "policing"],
            "summary": md(
                """
                Two linked meta-analyses asked how many men with online sexual offences have
                a history of contact offending, and how many go on to commit new contact
                offences.
                """
            ),
            "key_findings": md(
                """
                - About one in eight had an official record of a contact sexual offence, but
                  around half admitted one in studies that used self-report.
                - New contact sexual offences during follow-up were uncommon.
                """
            ),
            "implications": md(
                """
                Official records understate past contact offending, so investigators and
                assessors should look for it actively; at the same time, most men who offend
                only online do not go on to commit contact offences.
                """
            ),
            "limitations": "Follow-up periods were short and self-report samples were "
            "often from treatment settings.",
            "visibility": "public",
        },
    },
    # Verified (pages): a practitioner summary of the article shows the authors, title,
    # Law and Human Behavior 2015, Vol. 39, No. 4, 416-429, and the sample of 266. The DOI
    # was not confirmed by any look-up and is left empty.
    {
        "key": "seto-eke-2015",
        "author": "researcher@example.org",
        "state": "published",
        "fields": {
            "title": "Predicting recidivism among adult male child pornography offenders: "
            "Development of the Child Pornography Offender Risk Tool (CPORT)",
            "authors": ["Michael C. Seto", "Angela W. Eke"],
            "year": 2015,
            "venue": "Law and Human Behavior",
            "volume": "39",
            "issue": "4",
            "pages": "416-429",
            "doi": "",
            "study_design": "cohort",
            "sample_size": 266,
            "countries": ["CA"],
            "domains": ["risk-assessment", "policing"],
            "summary": md(
                """
                Using police case files on men convicted of offences involving abuse
                material, the authors followed them for five years in the community and
                built a short checklist of the factors that predicted new sexual offences.
                """
            ),
            "key_findings": md(
                """
                - Over five years, about three in ten committed some new offence and about
                  one in ten a new sexual offence; new contact offences against children
                  were rare.
                - Seven items made up the tool: younger age, any prior criminal history, any
                  contact sexual offending, failure on conditional release, an indication of
                  sexual interest in children or in abuse material, and more boy than girl
                  content in the material and in other depictions of children.
                - The tool predicted sexual reoffending with moderate accuracy.
                """
            ),
            "implications": md(
                """
                Risk assessment for this group can use information police already hold; the
                tool helps direct supervision and investigative effort to the minority at
                higher risk.
                """
            ),
            "limitations": "A single-province development sample with few reoffenders; "
            "needs validation elsewhere.",
            "visibility": "public",
        },
    },
    # Verified (pages): the publisher page of the article shows the DOI, the abstract and
    # the validation sample of 80; the title and authors are given from knowledge and match
    # the brief. Volume, issue and pages were not confirmed and are left empty.
    {
        "key": "eke-2019",
        "author": "researcher@example.org",
        "state": "published",
        "fields": {
            "title": "A validation study of the Child Pornography Offender Risk Tool (CPORT)",
            "authors": ["Angela W. Eke", "L. Maaike Helmus", "Michael C. Seto"],
            "year": 2019,
            "venue": "Sexual Abuse",
            "doi": "10.1177/1079063218762434",
            "study_design": "cohort",
            "sample_size": 80,
            "countries": ["CA"],
            "domains": ["risk-assessment"],
            "summary": md(
                """
                A second sample of men convicted of offences involving abuse material was
                followed for five years to check whether the CPORT checklist predicted new
                sexual offences as well as it had in the sample it was built on.
                """
            ),
            "key_findings": md(
                """
                - About 15 per cent committed a new sexual offence and 9 per cent a new
                  offence involving abuse material.
                - Accuracy was a little lower than in the development sample, but not
                  significantly so; combining both samples, the tool predicted sexual
                  reoffending and abuse-material reoffending with similar, moderate
                  accuracy.
                - It also worked for men with no known contact offences.
                """
            ),
            "implications": "Supports using CPORT as one part of a structured assessment, "
            "alongside clinical judgement.",
            "limitations": "Small sample and low statistical power; validation by other teams "
            "and in other countries is still needed.",
            "visibility": "public",
        },
    },
    # Partly verified. (pages): the survey of 8,718 German men recruited through a market
    # research panel is confirmed by a companion paper on the same data (Koops et al., 2017,
    # BMC Public Health). Authors (with initials where a given name was not confirmed),
    # title, journal, volume, issue and pages are given from knowledge of this widely cited
    # paper and match the brief; no look-up showed them or the DOI, so the DOI is empty.
    {
        "key": "dombert-2016",
        "author": "researcher@example.org",
        "state": "published",
        "fields": {
            "title": "How common is men's self-reported sexual interest in prepubescent children?",
            "authors": [
                "B. Dombert",
                "Alexander F. Schmidt",
                "Rainer Banse",
                "Peer Briken",
                "J. Hoyer",
                "Janina Neutze",
                "M. Osterheider",
            ],
            "year": 2016,
            "venue": "The Journal of Sex Research",
            "volume": "53",
            "issue": "2",
            "pages": "214-223",
            "doi": "",
            "study_design": "cross-sectional",
            "sample_size": 8718,
            "countries": ["DE"],
            "domains": ["prevention"],
            "summary": md(
                """
                An anonymous online survey of several thousand adult men in Germany asked
                about sexual fantasies involving prepubescent children, sexual behaviour with
                children and use of abuse material, to estimate how common such interest is
                in the general male population.
                """
            ),
            "key_findings": md(
                """
                - A small but not negligible minority of men (a few per cent) reported some
                  sexual fantasies involving prepubescent children.
                - An exclusive or preferential sexual interest in children was much rarer.
                """
            ),
            "implications": md(
                """
                Many people with some sexual interest in children are not known to any
                service, which supports prevention offers they can reach anonymously before
                anyone is harmed.
                """
            ),
            "limitations": "Self-report from an online panel, which is not fully "
            "representative; sensitive questions may be under-reported.",
            "visibility": "public",
        },
    },
    # Verified (pages): the publisher page and a university news item show the authors,
    # title, DOI and the sample of 68 (published online in 2016). The print issue, Sexual
    # Abuse 30(3) 230-253 (2018), is given from knowledge; no look-up showed it.
    {
        "key": "merdian-2018",
        "author": "researcher@example.org",
        "state": "published",
        "fields": {
            "title": "Fantasy-driven versus contact-driven users of child sexual exploitation "
            "material: Offender classification and implications for their risk assessment",
            "authors": [
                "Hannah L. Merdian",
                "Nima Moghaddam",
                "Douglas P. Boer",
                "Nick Wilson",
                "Jo Thakker",
                "Cate Curtis",
                "Dave Dawson",
            ],
            "year": 2018,
            "venue": "Sexual Abuse",
            "volume": "30",
            "issue": "3",
            "pages": "230-253",
            "doi": "10.1177/1079063216641109",
            "study_design": "cross-sectional",
            "sample_size": 68,
            "countries": ["NZ"],
            "domains": ["risk-assessment", "treatment"],
            "summary": md(
                """
                Men recruited through sexual offender treatment providers completed an
                anonymous computer survey. The authors compared users of abuse material with
                contact offenders and looked for subgroups among the material users.
                """
            ),
            "key_findings": md(
                """
                - Users of abuse material differed psychologically from contact offenders.
                - The data supported a split between fantasy-driven users (whose offending
                  stays online) and contact-driven users.
                - Three dimensions distinguished the subgroups: direct sexual contact with a
                  minor, possession of material used for fantasy, and social contact with
                  other people with a sexual interest in children.
                """
            ),
            "implications": "Assessment should ask about contact-seeking behaviour and "
            "networking with other users, not only about the material itself.",
            "limitations": "Small sample from treatment settings; self-report.",
            "visibility": "public",
        },
    },
    # Verified (pages): a repository copy of the accepted manuscript shows the authors
    # (surnames and initials), title, Child Abuse & Neglect 79, 434-444 and the DOI.
    {
        "key": "broome-2018",
        "author": "researcher@example.org",
        "state": "published",
        "fields": {
            "title": "A systematic review of fantasy driven vs. contact driven "
            "internet-initiated sexual offences: Discrete or overlapping typologies?",
            "authors": ["L. Broome", "C. Izura", "N. Lorenzo-Dus"],
            "year": 2018,
            "venue": "Child Abuse & Neglect",
            "volume": "79",
            "pages": "434-444",
            "doi": "10.1016/j.chiabu.2018.02.021",
            "study_design": "systematic-review",
            "countries": ["GB"],
            "domains": ["policing", "risk-assessment"],
            "summary": md(
                """
                A systematic review of research that sorts people who use the internet to
                offend sexually against children into fantasy-driven (aiming for sexual
                gratification online) and contact-driven (aiming to meet the child offline)
                groups.
                """
            ),
            "key_findings": md(
                """
                - Studies define and measure the two groups in different ways.
                - The review questions whether they are discrete types or overlapping
                  tendencies, since some offenders show features of both.
                """
            ),
            "implications": "Investigators should not assume that an offender who has so "
            "far stayed online poses no contact risk.",
            "limitations": "Few studies, mostly small and based on police or court samples.",
            "visibility": "public",
        },
    },
    # Verified (pages): the publisher page shows the authors and the DOI; a reference list
    # shows The Journal of Sexual Medicine 12(2) 529-542. The group sizes (53 treated, 22
    # waiting list) are given in Mokros & Banse (2019).
    {
        "key": "beier-2015",
        "author": "researcher@example.org",
        "state": "published",
        "fields": {
            "title": "The German Dunkelfeld Project: A pilot study to prevent child sexual "
            "abuse and the use of child abusive images",
            "authors": [
                "Klaus M. Beier",
                "Dorit Grundmann",
                "Laura F. Kuhle",
                "Gerold Scherner",
                "Anna Konrad",
                "Till Amelung",
            ],
            "year": 2015,
            "venue": "The Journal of Sexual Medicine",
            "volume": "12",
            "issue": "2",
            "pages": "529-542",
            "doi": "10.1111/jsm.12785",
            "study_design": "quasi-experimental",
            "sample_size": 75,
            "countries": ["DE"],
            "domains": ["prevention", "treatment"],
            "summary": md(
                """
                A pilot evaluation of a programme that offers confidential therapy to
                self-referred men with a sexual interest in children who are not known to the
                justice system. Men who received treatment were compared with men on the
                waiting list.
                """
            ),
            "key_findings": md(
                """
                - Treated men reported improvements on several psychological factors linked
                  with offending, such as offence-supportive attitudes and emotional
                  difficulties.
                - Few reported contact offences during treatment; use of abuse images
                  continued for some participants, though less often or less severe.
                """
            ),
            "implications": "Shows that people at risk can be reached and engaged before "
            "anyone is harmed, when help is confidential and publicised.",
            "limitations": "Small, non-randomised groups, self-reported outcomes, and "
            "analyses that did not directly test change between the groups.",
            "visibility": "public",
        },
    },
    # Verified (pages): PubMed shows the authors, title, J Sex Med 2019 16(5):609-613 and
    # the DOI.
    {
        "key": "mokros-2019",
        "author": "researcher@example.org",
        "state": "published",
        "fields": {
            "title": 'The "Dunkelfeld" project for self-identified pedophiles: A reappraisal '
            "of its effectiveness",
            "authors": ["Andreas Mokros", "Rainer Banse"],
            "year": 2019,
            "venue": "The Journal of Sexual Medicine",
            "volume": "16",
            "issue": "5",
            "pages": "609-613",
            "doi": "10.1016/j.jsxm.2019.02.009",
            "study_design": "other",
            "sample_size": 75,
            "countries": ["DE"],
            "domains": ["prevention", "treatment"],
            "summary": md(
                """
                A re-analysis of the published pilot data from the Dunkelfeld programme,
                comparing how much the treated group and the waiting-list group changed,
                which the original report had not tested directly.
                """
            ),
            "key_findings": md(
                """
                - On every indicator the difference in change between the groups was small
                  at most, and none was statistically significant.
                - The original analyses ran many tests with little statistical power.
                """
            ),
            "implications": "Claims that this kind of programme reduces risk need stronger "
            "evidence; services should plan controlled evaluations from the start.",
            "limitations": "Limited to the published summary data and to psychological "
            "indicators, not offending itself.",
            "visibility": "public",
        },
    },
    # Verified (pages): a university repository record and the publisher's reference data
    # show the authors, title, Sexual Abuse 34(1) 106-124 (February 2022), the DOI and the
    # 419 participants.
    {
        "key": "prichard-2022",
        "author": "researcher@example.org",
        "state": "published",
        "fields": {
            "title": "Effects of automated messages on internet users attempting to access "
            '"barely legal" pornography',
            "authors": [
                "Jeremy Prichard",
                "Richard Wortley",
                "Paul A. Watters",
                "Caroline Spiranovic",
                "Charlotte Hunn",
                "Tony Krone",
            ],
            "year": 2022,
            "venue": "Sexual Abuse",
            "volume": "34",
            "issue": "1",
            "pages": "106-124",
            "doi": "10.1177/10790632211013809",
            "study_design": "rct",
            "sample_size": 419,
            "countries": ["AU"],
            "domains": ["prevention", "policing"],
            "summary": md(
                """
                A field experiment with a decoy website advertised as offering "barely
                legal" pornography, used as a stand-in for abuse material. Visitors were
                randomly shown no warning or one of four warning messages before they could
                try to enter.
                """
            ),
            "key_findings": md(
                """
                - Between 38 and 52 per cent of visitors who saw a warning left, compared
                  with 27 per cent who saw none.
                - Messages saying the material might be illegal, or that visitors' internet
                  addresses can be traced, were the most effective.
                """
            ),
            "implications": "Warning messages are cheap and can be scaled across platforms; "
            "deterrent wording about illegality and traceability deserves priority.",
            "limitations": "Used legal material as a proxy; measured only the immediate "
            "click, not later behaviour.",
            "visibility": "public",
        },
    },
    # Verified (pages): the publisher's news page and a community organisation's page show
    # the authors, title, Sexual Abuse 21, 412-430 and the December 2009 issue (issue 4);
    # (code): two public sites link the DOI at journals.sagepub.com, one giving 44 + 44 men.
    {
        "key": "wilson-2009",
        "author": "researcher@example.org",
        "state": "published",
        "fields": {
            "title": "Circles of Support & Accountability: A Canadian national replication "
            "of outcome findings",
            "authors": ["Robin J. Wilson", "Franca Cortoni", "Andrew J. McWhinnie"],
            "year": 2009,
            "venue": "Sexual Abuse: A Journal of Research and Treatment",
            "volume": "21",
            "issue": "4",
            "pages": "412-430",
            "doi": "10.1177/1079063209347724",
            "study_design": "quasi-experimental",
            "sample_size": 88,
            "countries": ["CA"],
            "domains": ["desistance"],
            "summary": md(
                """
                High-risk men released at the end of their sentence who joined a circle of
                support and accountability were compared with matched men released without
                one, across Canada.
                """
            ),
            "key_findings": md(
                """
                - Men in circles had much lower rates of new sexual, violent and general
                  offences than the matched group over about three years.
                """
            ),
            "implications": "Supports circles as part of community reintegration for "
            "higher-risk men, alongside statutory supervision.",
            "limitations": "Not randomised; small groups; men who accept a circle may "
            "differ in motivation.",
            "visibility": "public",
        },
    },
    # Verified (pages): a bibliographic record shows the authors, title, Journal of
    # Experimental Criminology 2015, issue 4, pages 597-630 and the DOI; the publisher's
    # abstract (indexed record) shows 29 comparisons with 4,939 treated and 5,448 untreated.
    {
        "key": "schmucker-2015",
        "author": "researcher@example.org",
        "state": "published",
        "fields": {
            "title": "The effects of sexual offender treatment on recidivism: An "
            "international meta-analysis of sound quality evaluations",
            "authors": ["Martin Schmucker", "Friedrich Lösel"],
            "year": 2015,
            "venue": "Journal of Experimental Criminology",
            "volume": "11",
            "issue": "4",
            "pages": "597-630",
            "doi": "10.1007/s11292-015-9241-z",
            "study_design": "systematic-review",
            "sample_size": 10387,
            "countries": ["DE"],
            "domains": ["treatment"],
            "summary": md(
                """
                An international meta-analysis restricted to methodologically sound
                evaluations (equivalent treated and untreated groups, official reoffending
                records) of treatment for people convicted of sexual offences.
                """
            ),
            "key_findings": md(
                """
                - Treated men reoffended sexually somewhat less often than untreated men
                  (about 10 against 14 per cent), a relative reduction of about a quarter.
                - All eligible studies evaluated psychosocial, mostly cognitive-behavioural,
                  treatment; results varied a great deal between programmes.
                """
            ),
            "implications": "Treatment can reduce reoffending, but effects depend on how "
            "programmes are run; services should evaluate their own outcomes.",
            "limitations": "Few high-quality studies; very few on online offenders.",
            "visibility": "public",
        },
    },
    # Verified (pages): the university repository and a copy of the article show the
    # authors, title, Clinical Psychology Review 73 (2019), article 101752, the DOI and the
    # 55,604 individuals.
    {
        "key": "gannon-2019",
        "author": "researcher@example.org",
        "state": "published",
        "fields": {
            "title": "Does specialized psychological treatment for offending reduce "
            "recidivism? A meta-analysis examining staff and program variables as predictors "
            "of treatment effectiveness",
            "authors": [
                "Theresa A. Gannon",
                "Mark E. Olver",
                "Jaimee S. Mallion",
                "Mark James",
            ],
            "year": 2019,
            "venue": "Clinical Psychology Review",
            "volume": "73",
            "pages": "101752",
            "doi": "10.1016/j.cpr.2019.101752",
            "study_design": "systematic-review",
            "sample_size": 55604,
            "countries": ["GB", "CA"],
            "domains": ["treatment"],
            "summary": md(
                """
                A meta-analysis of specialised psychological treatment for sexual offending,
                domestic violence and general violence, looking at reoffending and at which
                features of staff and programmes go with better results.
                """
            ),
            "key_findings": md(
                """
                - Treated people reoffended less than untreated comparison groups in all
                  three kinds of programme; for sexual offence programmes the relative
                  reduction was about a third.
                - Programmes did better when a qualified psychologist was consistently
                  involved and facilitators received clinical supervision.
                """
            ),
            "implications": "Invest in qualified clinical input and supervision, not only "
            "in manuals.",
            "limitations": "Mostly non-randomised studies of varying quality.",
            "visibility": "public",
        },
    },
    # Verified (pages): the criminal justice reference library record shows the authors,
    # title, Criminal Justice and Behavior 36(9), September 2009, 865-891, and 23 studies.
    # The DOI was not confirmed by any look-up and is left empty.
    {
        "key": "hanson-2009",
        "author": "researcher@example.org",
        "state": "pending",
        "fields": {
            "title": "The principles of effective correctional treatment also apply to "
            "sexual offenders: A meta-analysis",
            "authors": [
                "R. Karl Hanson",
                "Guy Bourgon",
                "Leslie Helmus",
                "Shannon Hodgson",
            ],
            "year": 2009,
            "venue": "Criminal Justice and Behavior",
            "volume": "36",
            "issue": "9",
            "pages": "865-891",
            "doi": "",
            "study_design": "systematic-review",
            "countries": ["CA"],
            "domains": ["treatment", "desistance"],
            "summary": md(
                """
                A meta-analysis of 23 outcome studies asking whether the risk, need and
                responsivity principles that predict effective treatment for offenders in
                general also apply to treatment for sexual offending.
                """
            ),
            "key_findings": md(
                """
                - Treated groups had lower sexual and general reoffending than comparison
                  groups.
                - Programmes that followed more of the three principles showed the largest
                  reductions.
                """
            ),
            "implications": "Match intensity to risk, target needs linked to offending and "
            "deliver treatment in a way participants can engage with.",
            "limitations": "Many studies had weak designs.",
            "visibility": "public",
        },
    },
    # Verified (pages): a copy of the article, the university repository and the publisher
    # record show the authors, title, Internet Interventions 30 (2022), article 100590, the
    # DOI and the 160 randomised participants.
    {
        "key": "latth-2022",
        "author": "researcher@example.org",
        "state": "published",
        "fields": {
            "title": "Effects of internet-delivered cognitive behavioral therapy on use of "
            "child sexual abuse material: A randomized placebo-controlled trial on the "
            "Darknet",
            "authors": [
                "Johanna Lätth",
                "Valdemar Landgren",
                "Allison McMahan",
                "Charlotte Sparre",
                "Julia Eriksson",
                "Kinda Malki",
                "Elin Söderquist",
                "Katarina Görts Öberg",
                "Alexander Rozental",
                "Gerhard Andersson",
                "Viktor Kaldo",
                "Niklas Långström",
                "Christoffer Rahm",
            ],
            "year": 2022,
            "venue": "Internet Interventions",
            "volume": "30",
            "pages": "100590",
            "doi": "10.1016/j.invent.2022.100590",
            "study_design": "rct",
            "sample_size": 160,
            "countries": ["SE"],
            "domains": ["treatment", "prevention"],
            "summary": md(
                """
                Anonymous adults who had recently viewed abuse material, recruited mostly on
                anonymous forums, were randomly assigned to an eight-week therapist-supported
                online cognitive-behavioural programme or to a psychological placebo.
                """
            ),
            "key_findings": md(
                """
                - Viewing time fell in both groups, but significantly more in the treatment
                  group.
                - It proved feasible to recruit an anonymous, hard-to-reach population from
                  anonymous forums into a controlled trial.
                """
            ),
            "implications": "Anonymous online treatment is a feasible way to reach people "
            "who view abuse material and are not in contact with any service.",
            "limitations": "Self-reported outcomes and a follow-up of only one month after "
            "treatment.",
            "visibility": "public",
        },
    },
    # Verified (pages): the university repository and library records show the authors,
    # title, Cochrane Database of Systematic Reviews 2015 issue 4, CD004380, the DOI and
    # 24 trials with 5,802 participants.
    {
        "key": "walsh-2015",
        "author": "researcher@example.org",
        "state": "published",
        "fields": {
            "title": "School-based education programmes for the prevention of child sexual abuse",
            "authors": [
                "Kerryann Walsh",
                "Karen Zwi",
                "Susan Woolfenden",
                "Aron Shlonsky",
            ],
            "year": 2015,
            "venue": "Cochrane Database of Systematic Reviews",
            "issue": "4",
            "pages": "CD004380",
            "doi": "10.1002/14651858.CD004380.pub3",
            "study_design": "systematic-review",
            "sample_size": 5802,
            "countries": ["AU"],
            "domains": ["education", "prevention"],
            "summary": md(
                """
                A Cochrane review of randomised and quasi-randomised trials of school-based
                programmes that teach children about sexual abuse and how to protect
                themselves.
                """
            ),
            "key_findings": md(
                """
                - Children who took part improved their protective behaviours and knowledge,
                  and knowledge held up over the follow-up periods studied.
                - Programmes did not increase children's anxiety or fear.
                - Taking part may make children more likely to disclose abuse.
                """
            ),
            "implications": "School programmes are worth running, with staff ready to "
            "respond to disclosures.",
            "limitations": "No trial showed whether programmes reduce abuse itself; many "
            "trials had a high risk of bias.",
            "visibility": "public",
        },
    },
    # Verified (pages): a library record shows the title, Psychology, Public Policy, and
    # Law 2016, 22(1), 12-21 and the 374 police files; a thesis on the tool cites it as
    # Long et al. (2016). The other authors (initials where a given name was not confirmed)
    # are given from knowledge. The DOI was not confirmed by any look-up and is left empty.
    {
        "key": "long-2016",
        "author": "researcher@example.org",
        "state": "published",
        "fields": {
            "title": "KIRAT: Law enforcement's prioritization tool for investigating indecent "
            "image offenders",
            "authors": [
                "Matthew Long",
                "Laurence Alison",
                "R. Tejeiro",
                "E. Hendricks",
                "Susan Giles",
            ],
            "year": 2016,
            "venue": "Psychology, Public Policy, and Law",
            "volume": "22",
            "issue": "1",
            "pages": "12-21",
            "doi": "",
            "study_design": "cross-sectional",
            "sample_size": 374,
            "countries": ["GB"],
            "domains": ["policing", "risk-assessment"],
            "summary": md(
                """
                Police files from eleven UK forces on men convicted of indecent image
                offences were coded to test a decision tree that sorts suspects by how likely
                they are to have committed contact offences against children.
                """
            ),
            "key_findings": md(
                """
                - The final model uses 17 items in four steps: previous convictions, access
                  to children, current online and offline behaviour, and other factors.
                - It placed almost all men with contact offending in the two highest bands,
                  and about six in ten of the others in the two lowest.
                """
            ),
            "implications": "A structured tool can help police decide which suspects to "
            "visit first when demand exceeds capacity.",
            "limitations": "Retrospective; it classifies known dual offending rather than "
            "predicting future offences, and contact offending may be under-recorded.",
            "visibility": "public",
        },
    },
    # Verified (pages): the publisher page shows the authors, title, Frontiers in
    # Psychology (2021) and the DOI; the article number is the DOI's last part, and volume
    # 12 is the journal's 2021 volume (from knowledge).
    {
        "key": "giles-2021",
        "author": "researcher@example.org",
        "state": "published",
        "fields": {
            "title": "Prioritizing indecent image offenders: A systematic review and economic "
            "approach to understand the benefits of evidence-based policing strategies",
            "authors": ["Susan Giles", "Laurence Alison"],
            "year": 2021,
            "venue": "Frontiers in Psychology",
            "volume": "12",
            "pages": "606731",
            "doi": "10.3389/fpsyg.2021.606731",
            "study_design": "systematic-review",
            "countries": ["GB"],
            "domains": ["policing"],
            "summary": md(
                """
                A systematic review combined with an economic estimate of how many people in
                the UK viewing indecent images of children may also pose a contact risk, and
                what leaving them unprioritised may cost.
                """
            ),
            "key_findings": md(
                """
                - Applying prevalence estimates to the UK suspect population suggests
                  thousands of likely contact offenders among people viewing indecent images.
                - The potential social and economic cost of not prioritising them is large.
                """
            ),
            "implications": "Makes the case for funding evidence-based prioritisation of "
            "image offenders.",
            "limitations": "Estimates rest on uncertain prevalence figures and assumptions.",
            "visibility": "public",
        },
    },
    # Verified (pages): the publisher page and a bibliographic record show the authors,
    # title, Policing: An International Journal (2021) and the DOI. Volume, issue and pages
    # were not confirmed and are empty.
    {
        "key": "mount-2021",
        "author": "researcher@example.org",
        "state": "published",
        "fields": {
            "title": "Triaging online child abuse material: Testing a decision support tool "
            "to enhance law enforcement and investigative prioritisation",
            "authors": [
                "David Mount",
                "Lorraine Mazerolle",
                "Renee Zahnow",
                "Leisa James",
            ],
            "year": 2021,
            "venue": "Policing: An International Journal",
            "doi": "10.1108/PIJPSM-02-2021-0020",
            "study_design": "other",
            "countries": ["AU"],
            "domains": ["policing"],
            "summary": md(
                """
                A mixed-methods project with a national police agency that reviewed an
                existing tool for triaging industry referrals about child abuse material,
                then designed and tested a shorter decision support tool.
                """
            ),
            "key_findings": md(
                """
                - Only a few questions in the old tool were linked with police action.
                - The new tool weighs immediate threat to a child, solvability, image and chat
                  assessment, criticality and professional judgement; it agreed closely with
                  the old tool's ratings while being quicker to complete.
                """
            ),
            "implications": "Triage tools should be tested against outcomes and kept short.",
            "limitations": "One agency and one year of referrals; police action is an "
            "imperfect measure of risk.",
            "visibility": "members",
        },
    },
]


# ---------------------------------------------------------------------------------------
# Evidence links: (research key, practice key, relation, note, who links it).

RESEARCHER = "researcher@example.org"
POLICE = "police@example.org"

DEMO_LINKS: list[tuple[str, str, str, str, str]] = [
    (
        "beier-2015",
        "helpline",
        "supports",
        "Shows that people worried about their sexual interest in children will come forward "
        "when help is confidential and publicised.",
        RESEARCHER,
    ),
    (
        "dombert-2016",
        "helpline",
        "informs",
        "Estimates how many men in the general population may have some sexual interest in "
        "children: the potential demand for a helpline.",
        RESEARCHER,
    ),
    (
        "mokros-2019",
        "helpline",
        "contradicts",
        "Re-analysis finds no clear treatment effect in the pilot that is often cited for "
        "confidential prevention services.",
        RESEARCHER,
    ),
    (
        "beier-2015",
        "outpatient",
        "evaluates",
        "Pilot evaluation of a programme of this kind, with a waiting-list comparison.",
        RESEARCHER,
    ),
    (
        "mokros-2019",
        "outpatient",
        "contradicts",
        "Changes in the treated group were not clearly larger than in the waiting-list group.",
        RESEARCHER,
    ),
    (
        "dombert-2016",
        "outpatient",
        "informs",
        "Prevalence of sexual interest in children among men who are not known to services.",
        RESEARCHER,
    ),
    (
        "prichard-2022",
        "splash",
        "evaluates",
        "Randomised test of warning wording: illegality and traceability messages deterred most.",
        RESEARCHER,
    ),
    (
        "wilson-2009",
        "circles",
        "supports",
        "Matched comparison across Canada found much less reoffending among circle members.",
        RESEARCHER,
    ),
    (
        "wilson-2009",
        "probation",
        "informs",
        "Community support alongside supervision is associated with less reoffending.",
        RESEARCHER,
    ),
    (
        "seto-eke-2015",
        "risk",
        "informs",
        "Development study of the seven-item checklist the service uses.",
        RESEARCHER,
    ),
    (
        "eke-2019",
        "risk",
        "evaluates",
        "Independent validation sample of the same checklist with five-year follow-up.",
        RESEARCHER,
    ),
    (
        "babchishin-2015",
        "risk",
        "informs",
        "Online-only offenders differ from contact offenders; mixed offenders are the "
        "higher-risk group.",
        RESEARCHER,
    ),
    (
        "merdian-2018",
        "risk",
        "informs",
        "Contact-seeking behaviour and networking with other users matter for risk.",
        RESEARCHER,
    ),
    (
        "seto-2011",
        "risk",
        "supports",
        "Low rates of new contact offending support a separate, lighter approach for most "
        "online-only offenders.",
        RESEARCHER,
    ),
    (
        "babchishin-2011",
        "treatment-group",
        "informs",
        "Characteristics of online offenders that a programme for them should address.",
        RESEARCHER,
    ),
    (
        "babchishin-2015",
        "treatment-group",
        "informs",
        "Treatment targets: sexual self-regulation rather than antisocial attitudes.",
        RESEARCHER,
    ),
    (
        "schmucker-2015",
        "treatment-group",
        "supports",
        "Sound evaluations show a modest reduction in sexual reoffending after "
        "cognitive-behavioural treatment.",
        RESEARCHER,
    ),
    (
        "gannon-2019",
        "treatment-group",
        "supports",
        "Specialised treatment reduces reoffending, more so with clinical supervision of "
        "facilitators, as in this programme.",
        RESEARCHER,
    ),
    (
        "latth-2022",
        "online-cbt",
        "evaluates",
        "Randomised placebo-controlled trial of an anonymous programme of this kind.",
        RESEARCHER,
    ),
    (
        "walsh-2015",
        "school",
        "supports",
        "Systematic review: school programmes improve protective knowledge and behaviour "
        "without raising anxiety.",
        RESEARCHER,
    ),
    (
        "walsh-2015",
        "parents",
        "informs",
        "Evidence on teaching children about abuse prevention; parents' role is less studied.",
        RESEARCHER,
    ),
    (
        "giles-2021",
        "backlog",
        "informs",
        "The scale of the suspect population behind forensic demand.",
        RESEARCHER,
    ),
    (
        "mount-2021",
        "backlog",
        "informs",
        "Short triage tools tested against police action.",
        RESEARCHER,
    ),
    (
        "mount-2021",
        "multi-agency",
        "informs",
        "Immediate threat to a child as the first triage question.",
        RESEARCHER,
    ),
    # The law-enforcement-only practice: linked by a member who may see it.
    (
        "long-2016",
        "triage",
        "evaluates",
        "Validation of a prioritisation decision tree of the same design on UK police files.",
        POLICE,
    ),
    (
        "seto-2011",
        "triage",
        "informs",
        "Official records understate past contact offending: look for it actively.",
        POLICE,
    ),
    (
        "giles-2021",
        "triage",
        "supports",
        "Economic case for prioritising image offenders by contact risk.",
        POLICE,
    ),
    (
        "broome-2018",
        "triage",
        "informs",
        "Online-only and contact-seeking behaviour overlap; a low band is not no risk.",
        POLICE,
    ),
]


# ---------------------------------------------------------------------------------------
# Forum: fictional, anonymised cross-disciplinary threads. Each post is
# written by the demo account of its sector; ``quote`` is the index of the post it quotes
# (0: the opening post); an entry with ``status`` is a research need's status change by
# its ``author`` instead of a reply. ``links`` name demo practices and research by key.
# Like the practice examples, no person, place or case in them is real, and they must
# pass the anonymisation check without a warning (tests/test_demo.py).

THERAPIST = "therapist@example.org"
CLINICIAN = "clinician@example.org"
POLICY = "policy@example.org"
CHARITY = "charity@example.org"
OTHER = "other@example.org"
PUBLIC_CATEGORY = "cross-disciplinary"

DEMO_THREADS: list[dict] = [
    {
        "key": "after-arrest",
        "category": "cross-disciplinary",
        "kind": "discussion",
        "author": POLICE,
        "title": "After an arrest for online offences: how should police and treatment "
        "services hand over?",
        "body": md(
            """
            Our unit arrests people for viewing or sharing child sexual abuse material most
            weeks. The search and the interview are well rehearsed; what happens in the hours
            and days afterwards is not. Many of the people we arrest have never been in
            contact with any service, and the time straight after arrest is both when the
            risk of suicide is highest and when some of them are most open to help.

            What we do at the moment:

            - a leaflet with the prevention helpline and a crisis line
            - a referral to the multi-agency meeting when there are children in the household
            - nothing structured for the person themselves unless they ask

            Treatment and mental health colleagues: what would you want us to do at the point
            of release, and what should we *not* do (for example anything that could affect
            the investigation or the person's legal advice)?
            """
        ),
        "links": [("practice", "multi-agency"), ("practice", "outpatient")],
        "posts": [
            {
                "author": THERAPIST,
                "body": md(
                    """
                    Thank you for raising this. From the treatment side, three things make
                    the biggest difference:

                    1. **A warm handover, not only a leaflet.** With the person's consent, a
                       call the next day, or passing on a first name and a way to reach them.
                       Uptake from leaflets alone is very low in our service.
                    2. **Be clear about what treatment is and is not.** We do not share what
                       is said in sessions with the investigation, and we say so at the
                       start. Many people believe that asking for help will be used against
                       them, and some are advised to wait until they are charged.
                    3. **Do not ask us to assess risk for the investigation.** That belongs to
                       a different process, and mixing the two stops people engaging.

                    The anonymous outpatient service linked to this thread takes
                    self-referrals before any charge.
                    """
                ),
            },
            {
                "author": CLINICIAN,
                "body": md(
                    """
                    On suicide risk: the first days after arrest, and again the days around
                    charging and the first court hearing, are the danger points. What helped
                    in our area was one extra question on the custody release checklist, *is
                    there someone the person can be with tonight?*, and a same-day message to
                    the family doctor when the person agrees.

                    It also matters who says it. A liaison and diversion practitioner in
                    custody is heard differently from the arresting team.
                    """
                ),
            },
            {
                "author": CHARITY,
                "body": md(
                    """
                    Our helpline takes calls from partners and parents of people who have just
                    been arrested, often on the first night. If your leaflet also had a line
                    for family members, it would reach people nobody else supports: a partner
                    wondering whether the children are safe, a parent who has just heard the
                    news. We are happy to share the wording we use with other police services.
                    """
                ),
            },
            {
                "author": POLICE,
                "quote": 1,
                "body": md(
                    """
                    > Do not ask us to assess risk for the investigation.

                    A helpful line to draw, and one we have blurred in the past by asking
                    treatment providers for "anything relevant". I will take the warm
                    handover and the family line to our next multi-agency meeting. Could
                    anyone share a consent wording for passing on contact details from
                    custody that their legal advisers have agreed?
                    """
                ),
            },
            {
                "author": POLICY,
                "body": md(
                    """
                    A policy point: a consent-based handover from custody needs its lawful
                    basis for sharing written down, and that is much easier to agree once for
                    a region than service by service. We are collecting such agreements for a
                    common template. If yours exists, please add a summary here as a practice
                    example, without names of people or places, so that others can find it.
                    """
                ),
            },
        ],
    },
    {
        "key": "risk-tools",
        "category": "risk-assessment",
        "kind": "question",
        "author": OTHER,
        "title": "Which risk tools fit people convicted of online-only offences?",
        "body": md(
            """
            I train probation staff. They are asked to assess people convicted only of
            downloading or sharing abuse images, and the tools built for contact offending
            seem to overstate risk for many of them while missing what matters for a few.

            What do colleagues use, how well has it been validated, and what do you do with
            the result for someone who scores low?
            """
        ),
        "links": [
            ("practice", "risk"),
            ("research", "seto-eke-2015"),
            ("research", "eke-2019"),
            ("research", "babchishin-2015"),
        ],
        "posts": [
            {
                "author": CLINICIAN,
                "body": md(
                    """
                    We use the seven-item checklist described in the practice example linked
                    here; it was built for exactly this group. Two cautions from using it:

                    - it predicts any new sexual offence, which for this group is mostly
                      further image offending, so on its own it says little about contact
                      risk;
                    - items such as earlier contact offences depend on what was recorded,
                      and records understate history.

                    We pair it with a structured interview about sexual interest and how the
                    person uses the internet.
                    """
                ),
            },
            {
                "author": RESEARCHER,
                "body": md(
                    """
                    To add to that: the validation samples are small by the standards of
                    general risk tools, and new contact offences are rare during follow-up, so
                    the estimates for the higher bands are uncertain.

                    The meta-analysis linked here found that people convicted of online-only
                    offences differ from contact offenders in ways that matter: on average more
                    sexual interest in children, but fewer antisocial traits and more
                    protective factors. For someone who scores low I would read the result as
                    lighter supervision with support, not no supervision.
                    """
                ),
            },
            {
                "author": POLICE,
                "body": md(
                    """
                    One distinction from the police side: our triage tool is not a risk
                    assessment. It helps decide which investigation to start first, using what
                    is known before arrest. We sometimes see its bands quoted in reports much
                    later, which it was never designed for. If a file reaches you with a
                    triage band attached, please do not read it as a risk level.
                    """
                ),
            },
            {
                "author": OTHER,
                "quote": 2,
                "body": md(
                    """
                    > lighter supervision with support, not no supervision

                    That is the line our training needed. Thank you all: once we have piloted
                    this approach I will write it up as a practice example.
                    """
                ),
            },
        ],
    },
    {
        "key": "helpline-follow-up",
        "category": "cross-disciplinary",
        "kind": "discussion",
        "author": CHARITY,
        "title": "Following up helpline contacts: how do you learn what happened next?",
        "body": md(
            """
            Our helpline is confidential and most callers never give a name. That is the
            point of it, but it means we rarely know whether a caller went on to get help,
            and funders keep asking.

            How do other services, and researchers, approach follow-up without breaking the
            promise of anonymity?
            """
        ),
        "links": [
            ("practice", "helpline"),
            ("research", "beier-2015"),
            ("research", "mokros-2019"),
        ],
        "posts": [
            {
                "author": THERAPIST,
                "body": md(
                    """
                    At the end of a call we ask whether the caller would accept one follow-up
                    contact, and by which route: a call back at a time they choose, or a
                    message to an anonymous address they set up. About a third say yes. We
                    keep only the route and a code, nothing else. It is crude, but it tells us
                    whether the onward referral happened.
                    """
                ),
            },
            {
                "author": RESEARCHER,
                "body": md(
                    """
                    For evaluation, the two studies linked here show the trap. The pilot
                    compared treated participants with a waiting-list group; a later
                    re-analysis found the difference was not clear.

                    If you want to know whether the helpline itself changes anything, decide
                    the outcomes in advance (for example self-reported use of abuse material
                    and contact with treatment three months on), keep them few, and ask for
                    consent to follow-up at the first contact. I am glad to help anyone here
                    design that.
                    """
                ),
            },
            {
                "author": POLICE,
                "body": md(
                    """
                    A note on what follow-up must never become. In our region the police and
                    the helpline agreed in writing that a call leads to police contact only
                    when a child is at immediate risk, and the helpline publishes that
                    threshold. Callers need to be able to trust it. If the helpline is seen
                    as a route to arrest, people stop calling and we all lose one of the few
                    ways to reach them before a child is harmed.
                    """
                ),
            },
            {
                "author": POLICY,
                "quote": 2,
                "body": md(
                    """
                    > decide the outcomes in advance

                    Funders, us included, should accept anonymous, aggregated outcome measures
                    for services like this. A short list of measures that services and
                    researchers here agree on would make it much easier to fund follow-up
                    properly, instead of asking for case-level data you cannot give.
                    """
                ),
            },
        ],
    },
    {
        "key": "deterrence-need",
        "category": "cross-disciplinary",
        "kind": "research-need",
        "author": POLICE,
        "title": "Research need: do deterrence messages change behaviour beyond the next search?",
        "body": md(
            """
            The warning messages shown on searches for abuse material are well tested for
            their immediate effect: fewer people click on. What we do not know is whether
            anything changes over the following weeks and months. Do people who see a
            message search less later, move to other platforms, or contact a helpline?

            We would use the answer to decide where messages go and how to word the link to
            help. A study would have to work with aggregated platform and helpline data;
            nothing about individuals can be shared.
            """
        ),
        "links": [("practice", "splash"), ("research", "prichard-2022")],
        "votes": [POLICE, CHARITY, THERAPIST, POLICY, CLINICIAN],
        "posts": [
            {
                "author": CHARITY,
                "body": md(
                    """
                    We see more helpline contacts in the weeks after a new message goes live,
                    but we cannot tell who is who. Linking aggregated message views to
                    helpline contacts over time would answer part of this without
                    identifying anyone.
                    """
                ),
            },
            {
                "author": THERAPIST,
                "body": md(
                    """
                    Clinically it would also help to know what people understood from the
                    message. Some clients describe the warning as the moment they realised
                    they needed help; others say it only taught them which words to avoid.
                    """
                ),
            },
            {
                "author": RESEARCHER,
                "body": md(
                    """
                    This is answerable: an interrupted time series on aggregated search and
                    helpline data, plus a short anonymous survey on the help page the message
                    links to. I will take it on, and post a protocol summary here for comments
                    before we apply for ethics approval.
                    """
                ),
            },
            {"author": RESEARCHER, "status": "claimed"},
            {
                "author": POLICY,
                "body": md(
                    """
                    Good to see this claimed. When the protocol is ready, the next round of
                    prevention research funding would be a natural home for it.
                    """
                ),
            },
        ],
    },
    {
        "key": "self-help-need",
        "category": "treatment",
        "kind": "research-need",
        "author": THERAPIST,
        "title": "Research need: who finishes anonymous online self-help, and who drops out?",
        "body": md(
            """
            Anonymous online programmes reach people who would never walk into a clinic, and
            the trial linked here found an effect for those who took part. But most people
            who start do not finish. We need to know who drops out, at which module, and
            whether a brief contact with a therapist at that point keeps people engaged.
            """
        ),
        "links": [("practice", "online-cbt"), ("research", "latth-2022")],
        "votes": [THERAPIST, CLINICIAN, CHARITY, OTHER],
        "posts": [
            {
                "author": CLINICIAN,
                "body": md(
                    """
                    Seconded. Several of our patients started such a programme before they
                    came to us and stopped halfway without telling anyone. Knowing where
                    people stop would tell us where a human contact is worth the cost.
                    """
                ),
            },
        ],
    },
    {
        "key": "parents-contacted",
        "category": "education",
        "kind": "question",
        "author": CHARITY,
        "title": "What do you tell parents whose child has been contacted by a stranger online?",
        "body": md(
            """
            Parents ask this at almost every workshop. Our advice today: stay calm, thank the
            child for telling you, do not delete anything, and report it. The follow-up
            questions are where we are less sure: should they take screenshots of the
            messages, and what if images were sent?
            """
        ),
        "links": [("practice", "parents"), ("practice", "school")],
        "posts": [
            {
                "author": POLICE,
                "body": md(
                    """
                    Please tell parents: **do not copy, forward or screenshot sexual images of
                    a child**, not even to show the police. That is itself an offence and
                    spreads the material. Leave the device as it is, write down the platform
                    and the name the other account used, and report it to the police or to
                    the national hotline. Messages without images can stay on the device as
                    they are; we will collect what we need.
                    """
                ),
            },
            {
                "author": CLINICIAN,
                "body": md(
                    """
                    And for the child: what helps most is an adult who stays calm and a child
                    who is not punished, for example by losing their phone. Children who feel
                    blamed stop telling. The school's safeguarding lead can support the family,
                    and the school lessons linked here cover how children can ask for help.
                    """
                ),
            },
            {
                "author": THERAPIST,
                "quote": 2,
                "body": md(
                    """
                    > a child who is not punished

                    One more situation parents meet: finding out their child did not only
                    receive messages but also sent images of themselves. They need to hear
                    that their child is the one who was harmed, and that there are services
                    that help get images taken down.
                    """
                ),
            },
        ],
    },
]


# ---------------------------------------------------------------------------------------
# Loading


def _user(email: str):
    user = accounts.find_user_by_email(email)
    if user is None:  # load_users() runs first; this only guards against misuse
        raise RuntimeError(f"demo account {email} is missing: load the demo users first")
    return user


def _existing(model, title: str):
    return db.session.scalar(select(model).where(model.title == title).limit(1))


def _create(save, model, entry: dict, moderator):
    """Save ``entry`` as its author, then leave it in its ``state`` (draft/pending/published)."""
    item = _existing(model, entry["fields"]["title"])
    if item is not None:
        return item, False
    author = _user(entry["author"])
    data = dict(entry["fields"])
    if model is Research:
        if not data.get("doi"):
            data.pop("doi", None)
        # written "Given Family" above for readability; stored "Family, Given" like imports
        data["authors"] = [normalise_author(name) for name in data.get("authors", [])]
    submit = entry["state"] != "draft"
    data["submit"] = submit
    if model is Practice and submit:
        data["anonymised_confirmed"] = True
    item = save(author, data)
    if entry["state"] == "published" and item.status == "pending":
        review(item, moderator, "approve")
    return item, True


def load_content() -> dict[str, int]:
    """Create the demo practices, research summaries and links that do not exist yet.

    Returns how many of each demo kind exist afterwards (the same on every run).

    The services announce every save with a signal, and the search index listens and
    commits once per signal (about half a second each with Whoosh). For a bulk load of
    this size the signals are held back and one is sent at the end, so listeners catch up
    in one batch: the search outbox has recorded every change in the meantime.
    """
    moderator = _user(MODERATOR)
    created = []
    with ExitStack() as held:
        for signal in (signals.item_published, signals.item_changed, signals.item_deleted):
            held.enter_context(signal.muted())
        practices, research = {}, {}
        for entries, save, model, found in (
            (DEMO_PRACTICES, save_practice, Practice, practices),
            (DEMO_RESEARCH, save_research, Research, research),
        ):
            for entry in entries:
                item, new = _create(save, model, entry, moderator)
                found[entry["key"]] = item
                if new:
                    created.append(item)
        links = 0
        for research_key, practice_key, relation, note, creator in DEMO_LINKS:
            study, practice = research[research_key], practices[practice_key]
            exists = db.session.scalar(
                select(EvidenceLink.id).where(
                    EvidenceLink.research_id == study.id,
                    EvidenceLink.practice_id == practice.id,
                )
            )
            if exists is None and study.is_published and practice.is_published:
                link_evidence(_user(creator), practice, study, relation, note)
                created.append(practice)
                exists = True
            links += exists is not None
        forum = load_forum()
    if created or forum["created"]:
        signals.item_changed.send(current_app._get_current_object(), item=(created or [None])[-1])
    return {
        "practices": len(practices),
        "research": len(research),
        "links": links,
        "threads": forum["threads"],
    }


def load_forum() -> dict[str, int]:
    """Make the cross-disciplinary category public (as the demo moderator) and write the
    demo threads that do not exist yet (by title), with their replies, quotes, votes and
    status changes, through the forum services as the members would.

    Returns ``threads``: how many demo threads exist afterwards (the same on every run),
    and ``created``: how many this run wrote.
    """
    from kx.forum import services as forum
    from kx.forum.models import Thread

    moderator = _user(MODERATOR)
    if forum.category_visibilities()[PUBLIC_CATEGORY] != "public":
        forum.set_category_visibility(moderator, PUBLIC_CATEGORY, "public")
    models = {"practice": (Practice, DEMO_PRACTICES), "research": (Research, DEMO_RESEARCH)}

    def linked(kind: str, key: str) -> dict:
        model, entries = models[kind]
        title = next(e for e in entries if e["key"] == key)["fields"]["title"]
        item = _existing(model, title)
        if item is None or not item.is_published:  # only published demo items are linked
            raise RuntimeError(f"demo {kind} {key!r} is not published: load the content first")
        return {"type": kind, "id": item.id}

    threads = created = 0
    for entry in DEMO_THREADS:
        threads += 1
        if _existing(Thread, entry["title"]) is not None:
            continue
        thread = forum.create_thread(
            _user(entry["author"]),
            category=entry["category"],
            kind=entry["kind"],
            title=entry["title"],
            body=entry["body"],
            links=[linked(kind, key) for kind, key in entry.get("links", [])],
        )
        created += 1
        for email in entry.get("votes", []):
            forum.vote(_user(email), thread)
        for post in entry.get("posts", []):
            if "status" in post:
                forum.set_need_status(_user(post["author"]), thread, post["status"])
                continue
            quote = thread.posts[post["quote"]] if "quote" in post else None
            forum.reply(_user(post["author"]), thread, post["body"], quote_of=quote)
    return {"threads": threads, "created": created}
