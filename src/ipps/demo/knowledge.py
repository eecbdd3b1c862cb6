"""The demo's knowledge base: articles that answer what Beijing enterprises ask most often.

`load_articles()` writes those still missing (matched by Chinese title), in bulk; the database's
triggers index them for search. Figures (fees, periods) follow the law and CNIPA practice at the
time of writing; each article says where a figure may change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from ipps.casework.choices import ArticleStatus, Audience
from ipps.casework.models import Article
from ipps.core.search import token_text


@dataclass(frozen=True)
class Spec:
    title_zh: str
    title_en: str
    body_zh: str
    body_en: str
    ip_type: str
    chain_stage: str
    audience: str = Audience.PUBLIC
    status: str = ArticleStatus.PUBLISHED


P, T, C, GI, TS, OTHER = (
    "patent",
    "trademark",
    "copyright",
    "geographical_indication",
    "trade_secret",
    "other",
)

ARTICLES: list[Spec] = [
    Spec(
        "发明专利申请需要准备哪些材料？",
        "What does an invention patent application need?",
        "向国家知识产权局提交发明专利申请，应提交：请求书、说明书（必要时附图）、权利要求书、说明书摘要（有附图的还需摘要附图）。"
        "委托代理机构的需提交委托书；要求优先权的需在申请时声明并在规定期限内提交在先申请文件副本。"
        "建议通过专利业务办理系统在线提交。申请前先做查新检索，并在申请日前不要公开技术内容，以免丧失新颖性。",
        "File with CNIPA: a request form, a description (with drawings where needed), claims, and an "
        "abstract (with an abstract drawing if there are drawings). Add a power of attorney if an agency "
        "files for you; a priority claim must be declared on filing and the earlier application's copy "
        "supplied in time. File online through CNIPA's patent e-filing system. Search the prior art "
        "first and do not disclose the invention before the filing date, or it may lose novelty.",
        P,
        "creation",
    ),
    Spec(
        "专利申请要交哪些费用？可以减缴吗？",
        "Which fees does a patent application cost, and can they be reduced?",
        "主要费用：申请费（发明专利900元，实用新型和外观设计各500元）、发明专利的印刷费和实质审查费（2500元），"
        "授权后办理登记并缴纳年费。符合条件的个人、小微企业、高校和科研单位可以请求费用减缴："
        "单个申请人一般减缴85%，两个以上申请人共同申请减缴70%。减缴需事先在专利业务办理系统办理费减备案。"
        "具体金额以国家知识产权局现行收费标准为准。",
        "The main fees are the filing fee (CNY 900 for an invention, CNY 500 for a utility model or a "
        "design), and for inventions the publication printing fee and the substantive examination fee "
        "(CNY 2,500); after grant the registration formalities and annual fees follow. Eligible "
        "individuals, small enterprises, universities and research institutes may ask for a fee "
        "reduction: usually 85% for a single applicant and 70% for joint applicants, after a one-off "
        "fee-reduction filing in CNIPA's system. CNIPA's current fee schedule is authoritative.",
        P,
        "creation",
    ),
    Spec(
        "发明专利和实用新型有什么区别？",
        "Invention patent or utility model: what is the difference?",
        "发明专利保护产品和方法，保护期20年，需经实质审查，授权一般需要一到三年，创造性要求较高。"
        "实用新型只保护产品的形状、构造或其结合，保护期10年，只做初步审查，通常几个月即可授权，费用也较低。"
        "同一申请人可以在同日对同样的发明创造既申请实用新型又申请发明专利（须分别说明），先获实用新型保护，"
        "发明专利授权时放弃实用新型即可。",
        "An invention patent covers products and processes, lasts 20 years, is examined on substance "
        "and usually takes one to three years, with a higher inventive-step bar. A utility model covers "
        "only a product's shape or structure, lasts 10 years, gets a preliminary examination only and is "
        "usually granted within months, at lower cost. The same applicant may file both for the same "
        "creation on the same day (declaring it in both): the utility model protects early, and is "
        "given up when the invention patent is granted.",
        P,
        "creation",
    ),
    Spec(
        "外观设计专利保护多少年？",
        "How long does a design patent last?",
        "2021年6月1日起施行的新专利法将外观设计专利权期限延长为15年。2021年6月1日（含）以后提交的外观设计申请，"
        "保护期为自申请日起15年；此前提交的仍为10年。新法同时允许对产品的局部设计申请外观设计专利，"
        "并为外观设计引入了6个月的本国优先权。",
        "Under the Patent Law in force since 1 June 2021, a design patent filed on or after 1 June "
        "2021 lasts 15 years from the filing date; designs filed earlier keep their 10-year term. The "
        "amended law also allows partial designs and gives designs a 6-month domestic priority.",
        P,
        "protection",
    ),
    Spec(
        "专利年费什么时候交？逾期怎么办？",
        "When are patent annual fees due, and what if we miss one?",
        "授权当年的年费在办理登记手续时缴纳，以后每年的年费应在申请日的对应日之前缴纳。"
        "逾期未缴的有6个月滞纳期：滞纳期第一个月内补缴不收滞纳金，此后每超过一个月加收当年年费5%的滞纳金，最多25%。"
        "滞纳期满仍未缴纳，专利权自应缴年费期满之日起终止。因正当理由延误的，可在收到终止通知之日起2个月内请求恢复权利，"
        "并缴纳恢复费和所欠费用。建议设置年费提醒，或使用本平台的资产到期提醒。",
        "The first annual fee is paid with the grant registration; each later one is due before the "
        "anniversary of the filing date. A missed fee can still be paid within a 6-month grace period: "
        "no surcharge in the first month, then a surcharge of 5% of that year's fee for each further "
        "month, at most 25%. If it is still unpaid, the patent lapses from the end of the year paid "
        "for. With a justified reason you may ask for restoration within 2 months of receiving the "
        "notice, paying the restoration fee and what is owed. Set reminders, or use this platform's "
        "portfolio deadline watch.",
        P,
        "management",
    ),
    Spec(
        "PCT国际申请如何进入中国国家阶段？",
        "How does a PCT application enter the national phase in China?",
        "PCT国际申请应自优先权日起30个月内办理进入中国国家阶段手续；缴纳宽限费后可延至32个月。"
        "需提交进入声明、原始申请的中文译文，并缴纳申请费、公布印刷费等；要求实质审查的应在优先权日起3年内提出。"
        "进入其他国家的期限多为30个月，部分地区（如欧洲专利局）为31个月，请尽早规划预算和目标国。",
        "A PCT application must enter the Chinese national phase within 30 months of the priority "
        "date, or within 32 months with a late-entry fee. File the entry declaration and a Chinese "
        "translation and pay the filing and publication fees; request substantive examination within 3 "
        "years of the priority date. Most other countries also allow 30 months (some, e.g. the EPO, "
        "31), so plan target countries and budget early.",
        P,
        "creation",
    ),
    Spec(
        "想在国外申请专利，走PCT还是直接申请？",
        "Filing abroad: PCT route or direct filing?",
        "如果目标国家少于两三个、且已确定，可在中国首次申请后12个月内以优先权直接向这些国家申请；"
        "目标国家多或尚未确定时，可在12个月内提交PCT国际申请，把进入各国的决定推迟到优先权日起30个月左右，"
        "同时获得国际检索报告判断前景。注意：在中国完成的发明向外国申请前须经保密审查（可随PCT申请一并提出）。"
        "向外申请可关注国家和北京市的资助政策。",
        "If you target one or two known countries, file there directly within 12 months of the first "
        "Chinese filing, claiming its priority. If there are many or undecided countries, file a PCT "
        "application within 12 months: it postpones the national decisions to about 30 months from "
        "priority and gives an international search report to judge the chances. An invention made in "
        "China needs a confidentiality (security) examination before it is filed abroad; a PCT "
        "application filed with CNIPA includes it. Look for national and Beijing funding for foreign "
        "filings.",
        P,
        "creation",
    ),
    Spec(
        "什么情况可以申请专利优先审查？",
        "When can a patent application be examined with priority?",
        "依据《专利优先审查管理办法》，涉及国家重点发展产业、绿色技术、同一主题在国内外同时申请、"
        "就相同主题首次在中国提出申请又向外国申请等情形的发明、实用新型、外观设计申请和复审案件，可以请求优先审查，"
        "一般需要经北京市知识产权局等地方知识产权管理部门推荐。获准后，发明专利申请在45日内发出第一次审查意见通知书，"
        "一年内结案；实用新型和外观设计在2个月内结案。",
        "Under CNIPA's Priority Examination Measures, applications (invention, utility model, design) "
        "and re-examinations in key industries, green technology, subjects filed both in China and "
        "abroad, and similar cases may be examined with priority, usually on the recommendation of a "
        "local IP office such as the Beijing IP Office. Once accepted, an invention application gets a "
        "first office action within 45 days and is concluded within a year; utility models and designs "
        "within 2 months.",
        P,
        "creation",
    ),
    Spec(
        "收到发明专利审查意见通知书怎么办？",
        "We received an office action on our invention application: what now?",
        "第一次审查意见通知书的答复期限一般为4个月，此后的通知书一般为2个月，自推定收到日起算。"
        "答复可以陈述意见、修改权利要求和说明书，但修改不得超出原说明书和权利要求书记载的范围。"
        "期限内确实无法答复的，可在期满前请求延长期限（一个月或两个月，需缴费）。逾期未答复，申请被视为撤回。",
        "The first office action normally allows 4 months to reply and later ones 2 months, from the "
        "presumed date of receipt. You may argue, and amend the claims and description, but not beyond "
        "what the original application disclosed. If you need more time, ask for an extension (one or "
        "two months, for a fee) before the deadline. Without a reply the application is deemed "
        "withdrawn.",
        P,
        "creation",
    ),
    Spec(
        "员工完成的发明归谁？要给多少奖励？",
        "Who owns an employee's invention, and what reward is due?",
        "执行本单位任务或主要利用本单位物质技术条件完成的发明创造为职务发明，申请专利的权利属于单位。"
        "单位应对发明人给予奖励和报酬，优先按规章制度或合同约定；没有约定的，授权后发明专利奖金不少于4000元，"
        "实用新型或外观设计不少于1500元，并应从实施或许可所得中给予合理报酬。建议企业制定职务发明管理制度。",
        "An invention made in the course of the employee's duties, or mainly with the employer's "
        "resources, is a service invention: the employer may apply for the patent. The employer must "
        "reward and remunerate the inventors, as its rules or the contract say; failing that, at least "
        "CNY 4,000 per granted invention patent and CNY 1,500 per utility model or design, plus a "
        "reasonable share of the income from use or licences. Enterprises should adopt written rules "
        "on service inventions.",
        P,
        "management",
    ),
    Spec(
        "专利转让和许可要办理什么手续？",
        "How are patent assignments and licences recorded?",
        "专利申请权或专利权转让应订立书面合同，并向国家知识产权局办理著录项目变更登记，转让自登记之日起生效。"
        "专利实施许可合同应自生效之日起3个月内向国家知识产权局备案，备案便于对抗第三人和办理相关优惠。"
        "2021年起还可以采用专利开放许可：专利权人公开许可使用费，任何人书面通知并付费即可实施。",
        "Assigning a patent or an application needs a written contract and a change of record at CNIPA; "
        "the assignment takes effect on registration. A licence contract should be filed with CNIPA "
        "within 3 months of taking effect, which helps against third parties and for related benefits. "
        "Since 2021 a patentee may also offer an open licence: the royalty is published, and anyone "
        "who notifies in writing and pays may use the patent.",
        P,
        "utilisation",
    ),
    Spec(
        "专利质押融资怎么办？",
        "How does patent pledge financing work?",
        "企业可以用有效的专利权向银行等金融机构质押贷款。一般流程：与银行沟通授信需求，委托评估机构评估专利价值，"
        "签订借款合同和质押合同，向国家知识产权局办理专利权质押登记（质权自登记时设立），银行放款。"
        "北京市及各区对知识产权质押贷款有贴息、评估费补贴和风险补偿等支持，具体条件请向所在区知识产权部门或本工作站咨询。",
        "Valid patents can be pledged for bank loans. Usually: agree the credit need with the bank, have "
        "the patents valued by an appraiser, sign the loan and pledge contracts, register the pledge "
        "with CNIPA (the pledge exists from registration), and the bank lends. Beijing and its districts "
        "support IP-pledge loans with interest subsidies, appraisal-fee subsidies and risk "
        "compensation; ask your district IP office or this workstation for the current terms.",
        P,
        "utilisation",
    ),
    Spec(
        "实用新型专利被告侵权，专利权评价报告有什么用？",
        "What is a patent evaluation report for a utility model or design?",
        "实用新型和外观设计授权前不经实质审查，稳定性相对较弱。专利权人、利害关系人或被控侵权人可以请求国家知识产权局"
        "出具专利权评价报告，对其是否符合授权条件作出评价。在侵权诉讼或行政处理中，法院或管理部门可以要求出示评价报告，"
        "作为审理和决定是否中止的依据。维权前先取得评价报告，可以降低风险。",
        "Utility models and designs are granted without substantive examination, so they are less "
        "certain. The owner, an interested party, or an alleged infringer may ask CNIPA for a patent "
        "evaluation report on whether the right meets the conditions for grant. Courts and "
        "administrative authorities may ask for it in infringement proceedings and use it to decide "
        "whether to stay them. Obtaining the report before enforcing lowers the risk.",
        P,
        "protection",
    ),
    Spec(
        "对方专利明显不该授权，怎样请求宣告无效？",
        "How do we ask for a patent to be declared invalid?",
        "专利授权公告后，任何单位或个人认为该专利不符合专利法规定的，可以向国家知识产权局请求宣告无效，"
        "提交无效宣告请求书、理由和证据（如在先公开的文献、产品）。被诉侵权时提出无效请求是常见的抗辩方式，"
        "可同时请求法院中止审理。对无效决定不服的，可在收到通知之日起3个月内向北京知识产权法院起诉。",
        "After grant, anyone who believes a patent does not meet the law may ask CNIPA to declare it "
        "invalid, with a request, the grounds and evidence (for instance earlier publications or "
        "products). It is a common defence when sued for infringement, together with a request to stay "
        "the case. A party dissatisfied with the decision may sue in the Beijing IP Court within 3 "
        "months of receiving it.",
        P,
        "protection",
    ),
    Spec(
        "商标注册的流程和费用",
        "Registering a trademark: steps and fees",
        "商标注册申请向国家知识产权局商标局提出，推荐通过商标网上服务系统在线提交。流程：形式审查、实质审查"
        "（法定期限9个月）、初步审定公告（3个月异议期）、核准注册并发证。申请需按《类似商品和服务区分表》（尼斯分类，共45类）"
        "指定商品或服务，可一件申请多个类别。官费按类别计收，一个类别含10个商品或服务项目，超出部分逐项加收，以现行收费标准为准。"
        "申请前应检索近似商标。",
        "File with the CNIPA Trademark Office, preferably online. The steps are: formality "
        "examination, substantive examination (statutory limit 9 months), preliminary approval "
        "published for a 3-month opposition period, then registration and the certificate. Goods and "
        "services are named under the Nice Classification (45 classes); one application may cover "
        "several classes. Official fees are charged per class for up to 10 items, each further item "
        "extra, per the current schedule. Search for similar marks before filing.",
        T,
        "creation",
    ),
    Spec(
        "注册商标到期如何续展？",
        "How is a registered trademark renewed?",
        "注册商标有效期为10年，自核准注册之日起计算。期满需要继续使用的，应在期满前12个月内办理续展手续；"
        "期间未能办理的，可以在期满后6个月的宽展期内办理，但需缴纳延迟费。宽展期满仍未续展的，注销其注册商标。"
        "每次续展注册的有效期为10年，自上一届有效期满次日起计算。",
        "A registered trademark is valid for 10 years from the date of registration. To keep it, file "
        "for renewal in the 12 months before it expires; failing that, within the 6-month grace period "
        "after expiry, with a late fee. A mark not renewed by the end of the grace period is cancelled. "
        "Each renewal lasts 10 years from the day after the previous term ends.",
        T,
        "management",
    ),
    Spec(
        "商标申请被驳回怎么办？",
        "Our trademark application was refused: what can we do?",
        "对驳回申请、不予公告的商标，申请人不服的，可以自收到通知之日起15日内向国家知识产权局申请复审。"
        "复审时可以补充使用证据、说明与引证商标的区别、提交共存协议，或在引证商标满三年不使用时先申请撤销。"
        "对复审决定不服的，可以自收到通知之日起30日内向北京知识产权法院起诉。部分驳回的，也可以只就被驳回部分申请复审。",
        "Against a refusal, the applicant may request a review by CNIPA within 15 days of receiving "
        "the notice. In the review you may add evidence of use, explain the differences from the cited "
        "mark, file a coexistence agreement, or first apply to cancel a cited mark unused for three "
        "years. Against the review decision, sue in the Beijing IP Court within 30 days of receipt. A "
        "partial refusal may be reviewed for the refused part only.",
        T,
        "creation",
    ),
    Spec(
        "我们的商标被别人抢注了怎么办？",
        "Someone registered our brand as a trademark first: what can we do?",
        "在对方商标初步审定公告的3个月内，在先权利人、利害关系人可以提出异议。已经注册的，可以自注册之日起5年内"
        "以侵犯在先权利、以不正当手段抢先注册他人已使用并有一定影响的商标等理由请求宣告无效；对恶意注册的驰名商标不受5年限制；"
        "以欺骗手段或不以使用为目的的恶意注册，任何人可随时请求宣告无效。请保存好最早使用的证据（合同、发票、宣传材料）。",
        "During the 3-month opposition period after the other party's mark is published, holders of "
        "prior rights and interested parties may oppose. Once it is registered, you may ask within 5 "
        "years of registration for a declaration of invalidity, for instance because it infringes "
        "your prior rights or pre-empts a mark you used with some influence; for a well-known mark "
        "registered in bad faith there is no time limit; and registrations obtained by fraud or not "
        "intended for use may be challenged by anyone at any time. Keep evidence of your earliest use "
        "(contracts, invoices, publicity).",
        T,
        "protection",
    ),
    Spec(
        "注册商标三年不使用会被撤销吗？",
        "Can a registered trademark be cancelled for three years of non-use?",
        "会。注册商标没有正当理由连续三年不使用的，任何单位或个人可以向国家知识产权局申请撤销。"
        "收到撤销申请通知后，商标注册人应在规定期限内提交使用证据，如带有商标的商品销售合同、发票、广告和实物照片等，"
        "证据应能显示使用时间、商标和核定商品。企业应定期整理并保存商标使用证据。",
        "Yes. If a registered mark is not used for three consecutive years without a justified reason, "
        "anyone may ask CNIPA to cancel it. The owner must then submit evidence of use within the time "
        "limit, such as sales contracts, invoices, advertisements and photographs of goods bearing the "
        "mark, showing the dates, the mark and the registered goods. Collect and keep evidence of use "
        "regularly.",
        T,
        "management",
    ),
    Spec(
        "商标许可他人使用要备案吗？",
        "Does a trademark licence have to be recorded?",
        "许可他人使用注册商标的，许可人应当将许可使用情况报国家知识产权局备案，由其公告。"
        "未经备案的许可不得对抗善意第三人。许可人应监督被许可人的商品质量，被许可人必须在商品上标明其名称和商品产地。",
        "A trademark owner who licenses the mark should record the licence with CNIPA, which "
        "publishes it; an unrecorded licence cannot be asserted against a third party acting in good "
        "faith. The licensor must supervise the quality of the licensee's goods, and the licensee must "
        "show its own name and the place of origin on the goods.",
        T,
        "utilisation",
    ),
    Spec(
        "什么是驰名商标？能不能用来做广告？",
        "What is a well-known trademark, and may we advertise it?",
        "驰名商标是在具体案件中，为保护当事人权利，根据需要对商标是否为相关公众熟知作出的个案认定，不是荣誉称号。"
        "认定后可获得跨类保护或对未注册驰名商标的保护。生产经营者不得将“驰名商标”字样用于商品、包装、容器，"
        "或者广告宣传、展览及其他商业活动中，违者可被处以罚款。",
        "A well-known mark is recognised case by case, when needed to protect a party's rights in a "
        "specific dispute; it is not an honour. Recognition gives protection across classes, or "
        "protection to an unregistered well-known mark. The words “well-known trademark” (驰名商标) "
        "must not be used on goods, packaging or containers, or in advertising, exhibitions or other "
        "commercial activity; violations are fined.",
        T,
        "protection",
    ),
    Spec(
        "计算机软件著作权登记需要什么材料？",
        "What does software copyright registration need?",
        "软件著作权自软件开发完成之日起自动产生，登记不是必需的，但登记证书是权属的初步证明，"
        "常用于高新技术企业认定、融资和维权。向中国版权保护中心申请，需提交登记申请表、软件鉴别材料"
        "（源程序和文档各前、后连续30页，不足60页的全部提交）、身份或主体资格证明等。登记号形如2021SR0123456。"
        "法人软件的保护期为首次发表后50年。",
        "Software copyright arises automatically when the software is finished; registration is "
        "optional, but the certificate is prima facie evidence of ownership and is used for "
        "high-tech enterprise recognition, financing and enforcement. Apply to the Copyright "
        "Protection Center of China with the application form, identifying material (the first and "
        "last 30 consecutive pages of source code and of documentation, or all of it if under 60 "
        "pages) and proof of identity. Numbers look like 2021SR0123456. Software of a legal person is "
        "protected for 50 years from first publication.",
        C,
        "creation",
    ),
    Spec(
        "作品著作权登记有什么用？怎么办？",
        "Why and how register the copyright of a work?",
        "著作权自作品创作完成时产生，作品登记实行自愿原则。登记证书可以作为权属的初步证明，便于许可、转让、质押和维权。"
        "在北京，可以向北京市版权保护中心或中国版权保护中心申请作品登记，提交申请表、作品样本、权属证明和身份证明。"
        "设计图、产品说明书、宣传文案、摄影作品等都可登记。",
        "Copyright arises when a work is created; registering a work is voluntary. The certificate is "
        "prima facie evidence of ownership, which helps licensing, assignment, pledges and "
        "enforcement. In Beijing, apply to the Beijing Copyright Protection Center or the Copyright "
        "Protection Center of China with the form, a sample of the work, proof of ownership and of "
        "identity. Design drawings, manuals, marketing copy and photographs can all be registered.",
        C,
        "creation",
    ),
    Spec(
        "企业怎样保护商业秘密？",
        "How should an enterprise protect its trade secrets?",
        "商业秘密受《反不正当竞争法》保护，须同时满足：不为公众所知悉、具有商业价值、权利人采取了相应的保密措施。"
        "可采取的措施：与员工和合作方签订保密协议，对核心人员约定竞业限制（不超过2年并支付补偿），"
        "对涉密信息分级、标注密级，限制访问权限并留存访问记录，对涉密载体和场所管理，离职时办理交接并重申保密义务。"
        "这些措施要形成书面记录，一旦发生泄密才能证明“采取了保密措施”。",
        "Trade secrets are protected by the Anti-Unfair Competition Law if they are not publicly known, "
        "have commercial value and are subject to reasonable confidentiality measures. Measures "
        "include: confidentiality agreements with staff and partners; non-compete terms for key staff "
        "(at most 2 years, with compensation); classifying and marking secret information; access "
        "restrictions with access logs; control of media and premises; and exit procedures that "
        "restate the duty of confidentiality. Keep written records of these measures: after a leak "
        "they are the proof that measures were taken.",
        TS,
        "protection",
    ),
    Spec(
        "发现员工带走技术秘密，应该怎么处理？",
        "An employee left with our technical secrets: what should we do?",
        "第一时间固定证据：保存访问和下载日志、邮件、离职交接记录，必要时对电子设备做司法鉴定或公证。"
        "确认涉案信息属于商业秘密并整理保密措施证据。可以向市场监督管理部门举报，涉嫌犯罪的向公安机关报案，"
        "也可以提起民事诉讼并申请行为保全（禁令）。按现行司法解释，权利人初步证明采取了保密措施并合理表明被侵犯后，"
        "举证责任可转移给被告。",
        "Secure the evidence first: access and download logs, e-mails, exit records, and if needed a "
        "forensic examination or notarisation of devices. Establish that the information is a trade "
        "secret and gather the evidence of your confidentiality measures. You may report to the market "
        "regulation authority, report a suspected crime to the police, or sue and ask for a "
        "preliminary injunction. Once the owner shows prima facie that measures were taken and that "
        "the secret was probably misappropriated, the burden of proof can shift to the defendant.",
        TS,
        "protection",
    ),
    Spec(
        "地理标志怎么保护？企业能用地理标志吗？",
        "How are geographical indications protected, and who may use them?",
        "地理标志可以通过两种途径保护：作为集体商标或证明商标注册，或者申请地理标志产品保护，均由国家知识产权局受理。"
        "地理标志产地范围内、产品符合相关标准或管理规则的生产者，经申请核准后可以使用地理标志专用标志。"
        "平谷大桃、京西稻等都是北京的地理标志。未经许可使用或仿冒地理标志的，可依法查处。",
        "A geographical indication can be protected either by registering a collective or "
        "certification mark, or as a protected GI product; CNIPA handles both. Producers within the "
        "defined area whose products meet the standard or the rules of use may, once approved, use "
        "the official GI logo. Pinggu peaches and Jingxi rice are Beijing GIs. Unauthorised use or "
        "imitation of a GI can be prosecuted.",
        GI,
        "utilisation",
    ),
    Spec(
        "发现侵权，怎样保全证据？",
        "We found an infringement: how do we secure the evidence?",
        "常用方式：由公证机关对购买侵权产品的过程、网页内容进行公证（公证购买、公证取证）；保存购买票据、实物、包装和宣传资料；"
        "利用可信时间戳、区块链存证固定电子证据；记录侵权规模（销售量、价格、店铺数量）以支持赔偿请求。"
        "证据可能灭失或以后难以取得时，可以在起诉前向人民法院申请证据保全。取证时注意不要诱导对方侵权。",
        "Common ways: have a notary witness the purchase of the infringing product or the web pages "
        "(notarised purchase or capture); keep receipts, samples, packaging and advertising; fix "
        "electronic evidence with trusted time stamps or blockchain deposit; record the scale of the "
        "infringement (sales, prices, number of shops) to support damages. If evidence may be lost or "
        "later hard to obtain, ask the court for evidence preservation before suing. Do not induce the "
        "other side to infringe.",
        OTHER,
        "protection",
    ),
    Spec(
        "专利侵权，行政投诉和诉讼怎么选？",
        "Patent infringement: administrative complaint or lawsuit?",
        "行政途径：向北京市或区知识产权管理部门请求处理专利侵权纠纷（行政裁决），程序快、成本低，可责令停止侵权，"
        "赔偿数额只能调解，调解不成需另行起诉。司法途径：向法院起诉（北京的专利民事一审主要由北京知识产权法院管辖），"
        "可以请求停止侵权和赔偿，故意侵权情节严重的可判一到五倍惩罚性赔偿，难以确定损失的可判法定赔偿3万至500万元。"
        "诉讼时效为3年。两种途径可以结合：先行政制止，再诉讼索赔。",
        "Administrative route: ask the Beijing or district IP office to handle the dispute "
        "(administrative adjudication): fast and cheap, it can order the infringement to stop, but "
        "damages can only be mediated, and a lawsuit is needed if mediation fails. Court route: sue "
        "(in Beijing, first-instance patent cases mostly go to the Beijing IP Court) for an injunction "
        "and damages; wilful, serious infringement can bring punitive damages of one to five times, "
        "and where losses cannot be established statutory damages of CNY 30,000 to 5 million. The "
        "limitation period is 3 years. The routes combine well: stop it administratively, then claim "
        "damages in court.",
        P,
        "protection",
    ),
    Spec(
        "电商平台上有人卖侵权商品，怎样投诉下架？",
        "Infringing goods on an e-commerce platform: how do we get them taken down?",
        "根据《电子商务法》，权利人可以向平台发出通知，提交权利证明、侵权商品链接和构成侵权的初步证据，"
        "平台应及时采取删除、屏蔽、断开链接等措施并转送通知。平台内经营者可以提交不侵权声明，"
        "平台转送声明后15日内未收到权利人已投诉或起诉的通知的，应终止所采取的措施。主要平台均设有知识产权保护平台，可在线投诉。",
        "Under the E-Commerce Law, the right holder notifies the platform with proof of the right, "
        "links to the infringing goods and prima facie evidence of infringement; the platform must "
        "promptly remove or block them and forward the notice. The seller may reply with a declaration "
        "of non-infringement; if the right holder has not filed a complaint or lawsuit within 15 days "
        "after the platform forwards it, the platform lifts the measures. The major platforms run IP "
        "protection portals for online complaints.",
        T,
        "protection",
    ),
    Spec(
        "参加展会如何防范和处理知识产权纠纷？",
        "Trade fairs: how to prevent and handle IP disputes?",
        "参展前检查展品的专利、商标和版权状况，携带权利证书（或复印件）和授权文件，避免展出未经许可的他人设计或商标。"
        "展会期间发现侵权，可以向展会知识产权投诉机构投诉，提交权利证明和侵权证据；被投诉时应及时提供不侵权的证据或说明。"
        "境外展会还应事先了解当地法律，必要时联系海外维权援助机构。",
        "Before the fair, check the patent, trademark and copyright position of your exhibits, bring "
        "your certificates (or copies) and licences, and do not show others' designs or marks without "
        "permission. If you find an infringement, complain to the fair's IP complaint office with proof "
        "of your right and evidence; if you are the target, respond promptly with evidence or "
        "explanations of non-infringement. For fairs abroad, learn the local law beforehand and contact "
        "an overseas rights-protection service if needed.",
        OTHER,
        "protection",
    ),
    Spec(
        "在海外遭遇知识产权纠纷怎么办？",
        "We face an IP dispute abroad: what should we do?",
        "不要置之不理：海外诉讼、海关扣押、展会投诉和美国“337调查”都有严格的答辩期限，缺席往往导致败诉或被排除市场。"
        "第一时间联系国家海外知识产权纠纷应对指导中心北京分中心或本平台的海外维权合作机构，获得免费的应对指导，"
        "评估对方权利的有效性和侵权风险，选择当地律师。事前可以布局目标市场的专利商标，并考虑投保海外知识产权侵权责任保险。",
        "Do not ignore it: foreign lawsuits, customs seizures, trade-fair complaints and US Section 337 "
        "investigations have strict response deadlines, and default usually means losing or being shut "
        "out of the market. Contact the Beijing branch of the national guidance centre for overseas IP "
        "disputes, or this network's overseas partners, for free guidance; assess the validity of the "
        "other side's rights and your risk, and choose local counsel. Beforehand, file patents and "
        "marks in target markets and consider overseas IP infringement liability insurance.",
        OTHER,
        "protection",
    ),
    Spec(
        "知识产权保险有哪些？值得买吗？",
        "What IP insurance exists, and is it worth it?",
        "常见险种：专利执行保险（承担维权的调查取证费、律师费等）、侵犯专利权责任保险（被诉侵权时承担抗辩费用和赔偿）、"
        "知识产权质押融资保证保险、海外知识产权侵权责任保险等。对维权需求多、产品出口或正在融资的企业较有价值。"
        "北京市和部分区对保费有补贴，可向所在区知识产权部门或本工作站了解申报条件。",
        "Common policies: patent enforcement insurance (investigation and lawyers' costs of enforcing), "
        "patent infringement liability insurance (defence costs and damages if sued), guarantee "
        "insurance for IP-pledge loans, and overseas IP infringement liability insurance. They are "
        "most useful to firms that enforce often, export, or are raising finance. Beijing and some "
        "districts subsidise premiums; ask your district IP office or this workstation how to apply.",
        OTHER,
        "management",
    ),
    Spec(
        "申请高新技术企业认定，对知识产权有什么要求？",
        "What IP does high-tech enterprise recognition require?",
        "企业须拥有对其主要产品（服务）在技术上发挥核心支持作用的知识产权所有权。知识产权在评分中占30分，"
        "从技术先进程度、对主要产品的核心支持作用、数量、获得方式四方面评价。发明专利、植物新品种、集成电路布图设计等为I类，"
        "实用新型、外观设计、软件著作权等为II类（商标不计入），II类知识产权在有效期内只能用于一次认定。"
        "同时还有研发费用占比、高新技术产品收入占比（不低于60%）、科技人员占比（不低于10%）等条件，认定有效期3年。",
        "The enterprise must own IP that gives core technical support to its main products or "
        "services. IP counts for 30 of the 100 points, judged on technical advancement, core support "
        "to the main products, quantity, and how it was obtained. Invention patents, plant varieties "
        "and IC layout designs are Class I; utility models, designs and software copyrights are Class "
        "II (trademarks do not count), and a Class II right may be used for one recognition only. "
        "Other conditions include the R&D spending ratio, high-tech product income of at least 60% and "
        "technical staff of at least 10%. Recognition lasts 3 years.",
        P,
        "management",
    ),
    Spec(
        "企业知识产权管理规范（贯标）是什么？",
        "What is the enterprise IP management standard (GB/T 29490)?",
        "《企业知识产权合规管理体系 要求》（GB/T 29490-2023，原《企业知识产权管理规范》）规定了企业在立项、研发、采购、"
        "生产、销售和对外合作等环节管理知识产权的要求。按标准建立管理体系并通过认证（俗称“贯标”），"
        "有助于规范职务发明、合同、保密和风险管理，也常作为政府项目和招投标的加分条件。",
        "GB/T 29490-2023 (the enterprise IP compliance management system standard, formerly the "
        "enterprise IP management standard) sets out how an enterprise manages IP across project "
        "start, R&D, purchasing, production, sales and cooperation. Building a system to the standard "
        "and having it certified helps order service inventions, contracts, confidentiality and risk "
        "management, and often earns points in government programmes and tenders.",
        OTHER,
        "management",
    ),
    Spec(
        "集成电路布图设计怎么保护？",
        "How are integrated-circuit layout designs protected?",
        "集成电路布图设计专有权经国家知识产权局登记产生，未经登记不受保护。布图设计自在世界任何地方首次商业利用之日起2年内"
        "未申请登记的，不再予以登记。保护期为10年，自登记申请之日或在世界任何地方首次投入商业利用之日起计算，以较前日期为准；"
        "无论是否登记或投入商业利用，自创作完成之日起15年后不再受保护。",
        "Exclusive rights in an IC layout design arise by registration with CNIPA; an unregistered "
        "layout is not protected. A layout not filed within 2 years of its first commercial "
        "exploitation anywhere can no longer be registered. Protection lasts 10 years from the filing "
        "date or the first commercial exploitation anywhere, whichever is earlier, and ends in any case "
        "15 years after the design was created.",
        OTHER,
        "creation",
    ),
    Spec(
        "怎样向知识产权公共服务工作站咨询？",
        "How do we ask our IP service workstation a question?",
        "园区企业可以通过本平台门户在线提交咨询，也可以电话、到访或在工作站走访时提出。工作站联络员会首先答复，"
        "需要专家或上级中心支持的，会逐级上报区中心和市中心，并在平台上记录每一步，企业可随时查看进度并在答复后评价。"
        "提交时请写明企业名称、涉及的知识产权类型和具体问题，附上相关材料（如专利号、商标注册号、对方链接）。",
        "Enterprises in the park can ask online through this platform's portal, by phone, in person, or "
        "when the workstation visits. The workstation's liaison answers first; if experts or a higher "
        "centre are needed, the question is escalated to the district centre and the municipal centre, "
        "with every step recorded, so you can follow progress and rate the answer. Name your company, "
        "the kind of IP and the precise question, and attach what helps (patent or trademark numbers, "
        "links to the other party).",
        OTHER,
        "services",
    ),
    Spec(
        "答复口径：专利年费滞纳金计算（内部）",
        "Answering guide: patent annual-fee surcharges (internal)",
        "答复企业时请按以下口径：滞纳期6个月；应缴日期后第一个月内补缴不收滞纳金；第二个月起每月加收当年年费的5%，"
        "第六个月为25%。计算时以“应缴日期的对应日”为界按月累计，不足一个月按一个月计。"
        "涉及具体金额的，引导企业以专利业务办理系统生成的缴费通知为准，不要口头承诺金额。",
        "Answer enterprises as follows: the grace period is 6 months; no surcharge in the first month "
        "after the due date; from the second month 5% of that year's fee per month, reaching 25% in "
        "the sixth. Months run from the day corresponding to the due date, and a part month counts as "
        "a month. For exact amounts, refer the enterprise to the fee notice generated by CNIPA's "
        "system; do not promise amounts orally.",
        P,
        "management",
        audience=Audience.INTERNAL,
    ),
    Spec(
        "答复口径：商业秘密类咨询的保密要求（内部）",
        "Answering guide: confidentiality of trade-secret questions (internal)",
        "涉及商业秘密的咨询自动标记为保密：只有受理单位的工作人员和指派的专家可以看到内容，上级中心只看到存在和状态。"
        "请勿在内部评论或附件名称中复述秘密内容，需要专家支持时通过“转专家”而非升级，以免扩大知悉范围。",
        "Questions about trade secrets are marked confidential automatically: only the handling unit's "
        "staff and the assigned experts see the content; higher centres see that it exists and its "
        "status. Do not repeat secret content in internal comments or attachment names, and when expert "
        "help is needed refer to an expert rather than escalating, so fewer people learn of it.",
        TS,
        "services",
        audience=Audience.INTERNAL,
    ),
    Spec(
        "专利开放许可实施指南（草稿）",
        "Guide to patent open licences (draft)",
        "草稿：整理专利开放许可声明的提交、许可使用费的确定和实施备案的流程，待市中心审核后发布。",
        "Draft: the steps of an open-licence declaration, setting the royalty and recording use; to be "
        "published after review by the municipal centre.",
        P,
        "utilisation",
        audience=Audience.INTERNAL,
        status=ArticleStatus.DRAFT,
    ),
]


def load_articles(*, acting_user=None, now: dt.datetime | None = None) -> int:
    """Write the demo articles that are not there yet (matched by Chinese title); returns how many.

    Written in bulk: the database triggers index them, and no audit rows are written for demo seed
    data (as for the rest of the demo)."""
    now = now or timezone.now()
    existing = set(Article.objects.values_list("title_zh", flat=True))
    rows = []
    for position, spec in enumerate(ARTICLES):
        if spec.title_zh in existing:
            continue
        published = spec.status == ArticleStatus.PUBLISHED
        rows.append(
            Article(
                title_zh=spec.title_zh,
                title_en=spec.title_en,
                body_zh=spec.body_zh,
                body_en=spec.body_en,
                ip_type=spec.ip_type,
                chain_stage=spec.chain_stage,
                status=spec.status,
                audience=spec.audience,
                # Spread over the past year so that "newest first" looks like a living library.
                published_at=now - dt.timedelta(days=7 * (len(ARTICLES) - position))
                if published
                else None,
                search_tokens=token_text(spec.title_zh, spec.title_en, spec.body_zh, spec.body_en),
                created_by=acting_user,
            )
        )
    with transaction.atomic():
        Article.objects.bulk_create(rows)
    return len(rows)
