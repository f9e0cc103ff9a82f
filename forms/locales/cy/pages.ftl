### Cymraeg. Cyfieithwyd gan dîm pis-gateway.
### review = "draft: needs review by a native speaker" (see language.toml)

service-name = Rhannu gwybodaeth gyda’r heddlu
follow-up-link = Gwirio am ateb i adroddiad
menu-label = Dewislen
languages-label = Ieithoedd
urgent-banner = Nid yw’r gwasanaeth hwn yn cael ei fonitro 24 awr y dydd. Os oes rhywun mewn perygl nawr, ffoniwch <strong>999</strong>. Ar gyfer materion eraill i’r heddlu, ffoniwch <strong>101</strong>.
skip-link = Neidio i’r prif gynnwys
support-links = Dolenni cymorth
accessibility-link = Datganiad hygyrchedd
privacy-link = Hysbysiad preifatrwydd
deaf-contacts = Pobl fyddar, â nam ar eu clyw neu nam ar eu lleferydd: anfonwch neges destun i 999 os ydych wedi cofrestru gydag emergencySMS, neu defnyddiwch Relay UK ar 18000 (18001 101 pan nad yw’n argyfwng).
exit-hidden = Argyfwng
exit-button = Gadael y dudalen hon
error-prefix = Gwall:
warning-hidden = Rhybudd
error-summary-title = Mae problem
back = Yn ôl
continue = Parhau
go-to-start = Mynd i’r dudalen gychwyn
option-yes = Ydy
option-no = Nac ydy
option-not_sure = Ddim yn siŵr

home-title = Rhoi gwybod am bryder
home-danger-now = Os oes rhywun mewn perygl nawr, neu os yw rhywbeth yn digwydd ar hyn o bryd, ffoniwch 999.
home-other-matters = Ar gyfer materion eraill i’r heddlu, ffoniwch 101. Os ydych yn poeni am blentyn penodol, cysylltwch hefyd â’r gwasanaethau cymdeithasol i blant ar { $phone }.
home-what-it-is = Defnyddiwch y gwasanaeth hwn i ddweud wrth Heddlu Gogledd Swydd Efrog am rywbeth sy’n eich poeni. Mae’r hyn rydych yn ei anfon yn cael ei gloi (ei amgryptio) cyn gynted ag y bydd yn cyrraedd, a dim ond tîm cudd-wybodaeth yr heddlu all ei ddarllen.
home-hide = Os ydych yn poeni y gallai rhywun weld eich bod wedi defnyddio’r gwasanaeth hwn, darllenwch <a href="/hide-your-visit{ $query }" class="govuk-link">sut i guddio eich ymweliad</a>. Defnyddiwch <strong>Gadael y dudalen hon</strong> i adael yn gyflym: mae’n clirio’r atebion rydych wedi’u teipio.
home-choose = Dewiswch y ffurflen sy’n addas i chi
home-for-professional = I bobl sy’n gweithio gyda phlant neu bobl ifanc, neu mewn gwasanaeth cyhoeddus.
home-for-community = I bawb arall. Does dim rhaid i chi roi eich enw.
home-already-sent = Wedi anfon adroddiad yn barod?
home-follow-up = Os cawsoch god dilynol, gallwch <a href="/follow-up{ $query }" class="govuk-link">wirio am ateb i adroddiad</a>. Gallwch ddarllen cwestiynau neu newyddion gan yr heddlu ac ychwanegu rhagor o wybodaeth, heb roi eich enw.
home-before = Cyn i chi ddechrau
home-before-text = Mae’r ffurflen i’r cyhoedd yn cymryd tua 10 munud, a’r ffurflen i weithwyr proffesiynol rhwng 15 a 30 munud. Mae’r ffurflen yn gofyn ychydig o gwestiynau yn gyntaf i wirio a ddylech ffonio 999 yn lle hynny. Gallwch wirio eich atebion cyn eu hanfon.
home-next = Beth sy’n digwydd nesaf
home-next-text = Byddwch yn cael cyfeirnod pan fydd eich gwybodaeth wedi’i chadw. Mae’r heddlu’n darllen pob adroddiad. Efallai na fyddant yn cysylltu â chi, ac ni fyddant yn dweud wrth neb pwy wnaeth yr adroddiad.

help-title = Ffyrdd eraill o gael help
help-child = <strong>Os ydych yn blentyn neu’n berson ifanc</strong> ac eisiau siarad â rhywun: Childline ar <span class="app-nowrap">{ $phone }</span>. Mae am ddim ac nid yw’n ymddangos ar filiau ffôn.
help-worried = <strong>Os ydych yn poeni am blentyn</strong> ac eisiau cyngor: llinell gymorth yr NSPCC ar <span class="app-nowrap">{ $phone }</span>.
help-online = <strong>Os digwyddodd rhywbeth ar-lein</strong>, fel gofyn i blentyn am luniau neu i gyfarfod: rhowch wybod i CEOP yn <span class="app-nowrap">{ $address }</span>.
help-anonymous = <strong>Os ydych eisiau aros yn gwbl ddienw</strong>: Crimestoppers ar <span class="app-nowrap">{ $phone }</span>. Nid ydynt byth yn gofyn am eich enw.

call-999-now = Ffoniwch 999 nawr
call-999-text = Os oes rhywun mewn perygl, neu os yw rhywbeth yn digwydd nawr neu yn yr ychydig oriau nesaf, ffoniwch 999. Nid yw’r ffurflen hon yn cael ei gwylio 24 awr y dydd.
deaf-label = Pobl fyddar, â nam ar eu clyw neu nam ar eu lleferydd:
relay-label = Relay UK:
call-999-still = Gallwch ddweud wrthym beth rydych yn ei wybod o hyd. Pan fyddwch yn anfon y ffurflen hon, bydd yn cael ei marcio’n un frys.
call-999-continue = Parhau i’r ffurflen
danger-title = A oes unrhyw un mewn perygl nawr?
danger-noticed = Mae rhywbeth a ysgrifennoch yn awgrymu y gallai rhywun fod mewn perygl nawr neu cyn bo hir:
danger-call = Os oes rhywun mewn perygl, neu os yw rhywbeth yn digwydd nawr neu yn yr ychydig oriau nesaf, ffoniwch 999 nawr. Nid yw’r ffurflen hon yn cael ei gwylio 24 awr y dydd.
danger-answer-sent = Mae eich ateb yn cael ei anfon gyda’ch adroddiad, fel bod yr heddlu’n gwybod pa mor frys ydyw. Gallwch anfon yr adroddiad beth bynnag yw eich ateb.

or = neu
only-if-chose = Dim ond os dewisoch “{ $option }”:
date-day = Diwrnod
date-month = Mis
date-year = Blwyddyn
characters-up-to = Gallwch roi hyd at { $max } nod
form-part = { $form }: rhan { $part } o { $parts }
honeypot-label = Gadewch y blwch hwn yn wag
remove = Tynnu
add-another = Ychwanegu { $item } arall
added-most = { $max ->
    [one] Rydych wedi ychwanegu’r nifer fwyaf y mae’r ffurflen hon yn ei ganiatáu (un).
    [two] Rydych wedi ychwanegu’r nifer fwyaf y mae’r ffurflen hon yn ei ganiatáu (dau).
   *[other] Rydych wedi ychwanegu’r nifer fwyaf y mae’r ffurflen hon yn ei ganiatáu ({ $max }).
}
save-and-back = Cadw a mynd yn ôl i wirio eich atebion

fu-title = Dilyn adroddiad
fu-your-report-title = Eich adroddiad
fu-intro = Os cawsoch god dilynol pan anfonoch adroddiad, rhowch ef yma i weld a oes gan yr heddlu gwestiwn neu newyddion i chi, ac i ychwanegu rhagor o wybodaeth.
fu-danger = Os oes rhywun mewn perygl nawr, ffoniwch 999.
fu-code-label = Eich cod dilynol
fu-code-hint = Wyth gair (yn Saesneg), er enghraifft: ribcage pebble outboard tulip grudging wiring unstable lullaby. Mae codau a roddwyd o’r blaen fel 20 o lythrennau a rhifau, fel 7KQ2-M9XD-A1B0-CDEF-GH12, yn dal i weithio.
fu-lost-code = Os ydych wedi colli eich cod, ni all neb ddod o hyd iddo i chi. I ychwanegu gwybodaeth, <a class="govuk-link" href="/{ $query }">anfonwch adroddiad newydd</a> a soniwch am eich cyfeirnod os yw gennych.
fu-success = Llwyddiant
fu-sent-again = Roedd hwn wedi’i anfon yn barod.
fu-sent = Mae’r hyn a ychwanegoch wedi’i anfon at yr heddlu.
fu-its-reference = Ei gyfeirnod yw
call-999-if-not = Os nad ydych wedi gwneud hynny eisoes, ffoniwch 999 nawr.
fu-your-report = Eich adroddiad
fu-status = Statws
fu-since = ers { $date }
fu-messages = Negeseuon
fu-from-police = Gan yr heddlu
fu-from-you = Gennych chi
fu-no-messages = Nid oes negeseuon eto.
fu-add-label = Ateb neu ychwanegu gwybodaeth
fu-add-hint = Mae’n mynd i dîm cudd-wybodaeth yr heddlu gyda chyfeirnod eich adroddiad. Hyd at { $max } nod.
fu-send = Anfon
fu-check-new = Gwirio am negeseuon newydd
fu-finished = Pan fyddwch wedi gorffen, caewch y dudalen hon neu defnyddiwch Gadael y dudalen hon. Nid oes dim o’r fan hon yn cael ei gadw yn eich porwr.

check-title = Gwirio eich atebion
check-heading = Gwirio eich atebion cyn anfon
check-nothing-sent = Nid oes dim wedi’i anfon eto. Gallwch newid unrhyw ateb.
check-files-first = Os ydych eisiau ychwanegu lluniau, sgrinluniau neu ddogfennau, newidiwch unrhyw atebion yn gyntaf: mae ffeiliau’n cael eu dewis ar ddiwedd y dudalen hon, ychydig cyn i chi anfon, ac nid ydynt yn cael eu cadw os ewch yn ôl neu newid ateb.
check-change = Newid
check-change-hidden = atebion: { $section }
check-no-answers = Dim atebion yn y rhan hon.
check-add-files = Ychwanegu lluniau, sgrinluniau neu ddogfennau (dewisol)
check-files-limits = Gallwch ychwanegu hyd at { $files } o ffeiliau: delweddau JPG, PNG neu WebP. Rhaid i bob un fod yn llai na { $each } MB, a phob un gyda’i gilydd yn llai na { $total } MB.
check-files-limits-pdf = Gallwch ychwanegu hyd at { $files } o ffeiliau: delweddau JPG, PNG neu WebP, neu ddogfennau PDF. Rhaid i bob un fod yn llai na { $each } MB, a phob un gyda’i gilydd yn llai na { $total } MB.
check-files-cleaned = Mae lluniau a sgrinluniau’n cael eu glanhau cyn eu hanfon: mae manylion y mae eich ffôn neu gamera yn eu cadw ynddynt, fel ble a phryd y tynnwyd llun a pha ddyfais a’i tynnodd, yn cael eu dileu.
check-documents-as-they-are = Mae dogfennau’n cael eu hanfon fel y maent.
check-choose-again = Mae eich atebion wedi’u cadw: dewiswch eich ffeiliau eto.
check-want-code = Ydych chi eisiau cod dilynol?
check-code-hint = Gyda chod gallwch ddod yn ôl i’r wefan hon i weld a oes gan yr heddlu gwestiwn neu newyddion i chi, ac i ychwanegu rhagor o wybodaeth. Dangosir y cod unwaith, ar ôl i chi anfon eich adroddiad.
check-code-hint-community = Gyda chod gallwch ddod yn ôl i’r wefan hon i weld a oes gan yr heddlu gwestiwn neu newyddion i chi, ac i ychwanegu rhagor o wybodaeth, heb roi eich enw. Dangosir y cod unwaith, ar ôl i chi anfon eich adroddiad.
check-code-yes = Ydw, rhowch god dilynol i mi
check-code-no = Nac ydw, nid wyf eisiau cod
check-now-send = Nawr anfonwch eich adroddiad
check-encrypted = Pan fyddwch yn ei anfon, mae eich adroddiad ac unrhyw ffeiliau’n cael eu hamgryptio ac yn mynd i dîm cudd-wybodaeth yr heddlu.
check-send = Anfon adroddiad
sent-title = Gwybodaeth wedi’i hanfon
sent-your-reference = Eich cyfeirnod
sent-write-down = Ysgrifennwch y cyfeirnod neu tynnwch sgrinlun os yw’n ddiogel gwneud hynny. Nid yw’n cael ei ddangos yn unman arall.
sent-next-text = Bydd tîm cudd-wybodaeth yr heddlu yn darllen eich gwybodaeth ac yn penderfynu beth i’w wneud. Efallai y byddant yn ei rhannu â sefydliadau eraill sy’n cadw plant yn ddiogel. Ni fyddant yn dweud wrth neb pwy wnaeth yr adroddiad.
sent-urgent = Nid yw’r gwasanaeth hwn yn cael ei fonitro 24 awr y dydd. Mae eich gwybodaeth wedi’i marcio’n un frys, ond galwad yw’r ffordd gyflymaf o gael help. Pobl fyddar, â nam ar eu clyw neu nam ar eu lleferydd: { $sms }, neu Relay UK ar { $relay }.
sent-code-title = Eich cod dilynol
sent-copy-code = Copïo’r cod
sent-code-write-down = Ysgrifennwch y cod hwn nawr. Dim ond unwaith y caiff ei ddangos: ni all neb ei ddangos i chi eto na dod o hyd iddo i chi.
sent-code-keep = Cadwch y cod gyda’ch cyfeirnod, yn rhywle na all y person y rhoesoch wybod amdano ei weld.
sent-when-check = Pryd i wirio am ateb
sent-when-check-text = Efallai y bydd gan yr heddlu gwestiwn i chi o fewn ychydig ddyddiau. Gwiriwch ar ôl 3 diwrnod, ac yna unwaith yr wythnos am yr ychydig wythnosau nesaf.
sent-how-check = I wirio, dewiswch <a class="govuk-link" href="/follow-up{ $query }">Gwirio am ateb i adroddiad</a> ar frig unrhyw dudalen o’r wefan hon a rhowch y cod. Gallwch hefyd ychwanegu rhagor o wybodaeth yno. Ni all yr heddlu weld y cod, ac ni all neb ddarllen eu negeseuon i chi hebddo.
sent-code-failed = Nid oedd modd creu cod dilynol ar hyn o bryd. Mae eich adroddiad wedi’i anfon. I ychwanegu rhagor o wybodaeth, llenwch ffurflen newydd a soniwch am y cyfeirnod hwn.

hide-title = Sut i guddio eich ymweliad
hide-intro = Os ydych yn poeni y gallai rhywun ddarganfod eich bod wedi ymweld â’r wefan hon, mae pethau y gallwch eu gwneud i guddio eich ymweliad.
hide-limits = Efallai na fydd y camau hyn yn cuddio popeth. Efallai y bydd rhywun sydd wedi gosod meddalwedd ar eich dyfais i wylio beth rydych yn ei wneud yn dal i’w weld. Os gallwch, defnyddiwch ddyfais na all y person rydych yn poeni amdano ei defnyddio, fel ffôn ffrind neu gyfrifiadur llyfrgell.
hide-leave = Gadael yn gyflym
hide-leave-text = Defnyddiwch y botwm <strong>Gadael y dudalen hon</strong> ar frig pob tudalen i fynd i wefan tywydd ar unwaith. Ar gyfrifiadur â bysellfwrdd gallwch hefyd bwyso’r fysell Shift 3 gwaith.
hide-leave-form = Ar ffurflen, mae Gadael hefyd yn dileu’r atebion rydych wedi’u teipio hyd yma, fel na ellir eu gweld drwy fynd yn ôl yn y porwr. Nid yw’n tynnu’r ymweliad o hanes eich porwr.
hide-private = Defnyddio pori preifat
hide-private-text = Nid yw ffenestr breifat yn cadw’r tudalennau rydych yn ymweld â nhw yn eich hanes ar ôl i chi ei chau. Ei henw yw:
hide-private-chrome = Incognito yn Google Chrome
hide-private-safari = Pori Preifat yn Safari a Firefox
hide-private-edge = InPrivate yn Microsoft Edge
hide-private-samsung = Modd cyfrinachol yn Samsung Internet
hide-private-close = Caewch bob ffenestr breifat pan fyddwch wedi gorffen.
hide-history = Dileu hanes eich pori
hide-history-text = Os na wnaethoch ddefnyddio ffenestr breifat, dilëwch y wefan hon o hanes eich porwr. Agorwch hanes eich porwr (yn aml yn y ddewislen o dan <strong>Hanes</strong>), dewch o hyd i’r tudalennau o’r wefan hon a’u dileu. Mae dileu rhai tudalennau yn unig yn edrych yn llai anarferol na dileu eich holl hanes.
hide-shared = Ar ffôn, llechen neu gyfrifiadur a rennir
hide-shared-code = Peidiwch â chadw eich cod dilynol na’ch cyfeirnod mewn nodiadau, lluniau neu negeseuon y gall y person arall eu gweld. Ysgrifennwch nhw rywle dim ond chi all ei gyrraedd.
hide-shared-clipboard = Os gwnaethoch gopïo’r cod dilynol, copïwch rywbeth arall wedyn fel nad yw’n cael ei adael ar y clipfwrdd.
hide-shared-tab = Caewch dab y wefan hon pan fyddwch wedi gorffen.
hide-shared-account = Gwiriwch nad ydych wedi mewngofnodi i gyfrif y gall y person arall ei weld hefyd, fel cyfrif Google neu Apple a rennir, a allai gysoni eich hanes i ddyfeisiau eraill.

cc-under-one = Mae gennych { $count } nod ar ôl
cc-under-other = Mae gennych { $count } nod ar ôl
cc-at-limit = Mae gennych 0 nod ar ôl
cc-over-one = Mae gennych { $count } nod yn ormod
cc-over-other = Mae gennych { $count } nod yn ormod

## Ychwanegwyd y rownd hon: rhestr o bobl, rhestr adrannau, copi, cadw am nes ymlaen, ffeiliau at adroddiad (drafft y tîm, i’w adolygu gan siaradwr brodorol)
pick-hint = Dewiswch o’r bobl rydych wedi’u hychwanegu. Os nad ydynt ar y rhestr, ychwanegwch nhw yn yr adran am bobl yn gyntaf.
pick-none = Ddim yn hysbys, neu ddim ar y rhestr
entry-empty = Dim wedi’i roi eto
tasks-title = Eich adroddiad
tasks-link = Cadw a gweld pob adran
tasks-view = Gweld pob adran
tasks-done = Rydych wedi cwblhau { $done } o { $total } adran.
task-completed = Wedi’i chwblhau
task-in-progress = Ar y gweill
task-not-started = Heb ddechrau
tasks-check = Gwirio eich atebion ac anfon
tasks-check-later = Pan fydd pob adran wedi’i chwblhau, gallwch wirio eich atebion ac anfon y ffurflen.
save-later = Cadw a dod yn ôl nes ymlaen
saved-title = Mae eich atebion wedi’u cadw
saved-sent = Rydym wedi anfon dolen i’r cyfeiriad e-bost gwaith a roesoch. Agorwch hi i barhau â’r ffurflen. Mae’n gweithio unwaith, am { $days } diwrnod; ar ôl hynny caiff yr atebion eu dileu.
saved-once = Agorwch y ddolen yn y porwr rydych eisiau gorffen y ffurflen ynddo: bydd yr atebion wedyn yn y porwr hwnnw yn unig, nes i chi eu hanfon, gadael gyda Gadael y dudalen hon neu stopio am awr.
saved-not-here = Nid oes dim o’ch atebion ar ôl yn y porwr hwn.
resume-title = Parhau â’ch ffurflen wedi’i chadw
resume-key-label = Allwedd i’ch atebion wedi’u cadw
resume-key-hint = Gyda JavaScript ymlaen, caiff hwn ei lenwi o’r ddolen yn eich e-bost. Hebddo, copïwch y rhan o’r ddolen ar ôl yr arwydd # a’i gludo yma. Caiff ei anfon yn y ffurflen hon yn unig, byth mewn cyfeiriad gwe.
resume-continue = Parhau
resume-failed = Mae’r ddolen hon wedi’i defnyddio’n barod, wedi dod i ben, neu heb ei chopïo’n llawn
copy-link = Argraffu neu gadw copi o’r hyn a anfonoch
copy-link-hint = Ar gyfer eich cofnodion eich hun. Mae ar gael am gyfnod byr yn unig, yn y porwr hwn, ac nid ar ôl i chi adael gyda Gadael y dudalen hon.
copy-title = Copi o’r wybodaeth a anfonoch
copy-reference = cyfeirnod
copy-sent-on = Anfonwyd ar { $date }.
copy-how = I gadw copi, defnyddiwch opsiwn Argraffu eich porwr (Ctrl a P, neu Rhannu ac yna Argraffu ar ffôn) a dewiswch argraffydd, neu Cadw fel PDF i gadw ffeil. Caiff y cyfeirnod ei argraffu ar frig pob tudalen.
copy-short-time = Cadwch ef fel y mae polisi cofnodion eich sefydliad yn ei ddweud. Mae’r dudalen hon ar gael am gyfnod byr yn unig, yn y porwr hwn: nid yw’n cael ei chadw yn unman y gallwch ddod yn ôl ato.
copy-back = Yn ôl i’r cadarnhad
fu-add-files = Ychwanegu lluniau neu ddogfennau (dewisol)
sent-duplicate = Roedd y ffurflen hon wedi’i hanfon yn barod, felly ni chafodd ei hanfon eto ac ni chafodd unrhyw newidiadau a wnaed ers hynny eu hanfon. Mae’r cyfeirnod yr un fath.
sent-duplicate-new = I ychwanegu neu gywiro rhywbeth, <a class="govuk-link" href="/forms/{ $form }{ $query }">llenwch ffurflen newydd</a> a soniwch am y cyfeirnod hwn.
sent-duplicate-new-professional = I ychwanegu neu gywiro rhywbeth, <a class="govuk-link" href="/forms/{ $form }">llenwch ffurflen newydd</a> a rhowch y cyfeirnod hwn fel y cyfeirnod blaenorol.
saved-email-subject = Eich ffurflen wedi’i chadw
saved-email-body =
    Fe wnaethoch gadw ffurflen i’w gorffen nes ymlaen.

    I barhau, agorwch y ddolen hon mewn porwr gwe. Mae’n gweithio unwaith, ac am { $days } diwrnod:
    { $link }

    Yn y ddolen mae’r unig allwedd i’ch atebion wedi’u cadw: peidiwch ag anfon yr e-bost hwn ymlaen.
    Ar ôl i chi agor y ddolen, mae’r atebion yn y porwr hwnnw yn unig.

    Os na wnaethoch ofyn am hyn, anwybyddwch yr e-bost hwn: bydd yr atebion wedi’u cadw yn cael eu dileu.

    Peidiwch ag ateb yr e-bost hwn: nid yw atebion yn cael eu darllen.

date-in-words = { $day } { $month ->
    [1] Ionawr
    [2] Chwefror
    [3] Mawrth
    [4] Ebrill
    [5] Mai
    [6] Mehefin
    [7] Gorffennaf
    [8] Awst
    [9] Medi
    [10] Hydref
    [11] Tachwedd
   *[12] Rhagfyr
} { $year }
date-month-year = { $month ->
    [1] Ionawr
    [2] Chwefror
    [3] Mawrth
    [4] Ebrill
    [5] Mai
    [6] Mehefin
    [7] Gorffennaf
    [8] Awst
    [9] Medi
    [10] Hydref
    [11] Tachwedd
   *[12] Rhagfyr
} { $year }

list-comma = {", "}
