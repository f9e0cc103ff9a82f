### Română. Tradus de echipa pis-gateway.
### review = "draft: needs review by a native speaker" (see language.toml)

service-name = Transmiteți informații poliției
follow-up-link = Verificați dacă ați primit un răspuns la o sesizare
menu-label = Meniu
languages-label = Limbi
urgent-banner = Acest serviciu nu este supravegheat 24 de ore din 24. Dacă cineva este în pericol acum, sunați la <strong>999</strong>. Pentru alte probleme legate de poliție, sunați la <strong>101</strong>.
skip-link = Salt la conținutul principal
support-links = Linkuri de asistență
accessibility-link = Declarație de accesibilitate
privacy-link = Notă de confidențialitate
deaf-contacts = Persoane surde, cu deficiențe de auz sau de vorbire: trimiteți un SMS la 999 dacă v-ați înregistrat la emergencySMS sau folosiți Relay UK la 18000 (18001 101 pentru situații care nu sunt urgențe).
exit-hidden = Urgență
exit-button = Părăsiți această pagină
error-prefix = Eroare:
warning-hidden = Avertisment
error-summary-title = Există o problemă
back = Înapoi
continue = Continuați
go-to-start = Mergeți la pagina de start
option-yes = Da
option-no = Nu
option-not_sure = Nu sunt sigur(ă)

home-title = Semnalați o îngrijorare
home-danger-now = Dacă cineva este în pericol acum sau ceva se întâmplă chiar acum, sunați la 999.
home-other-matters = Pentru alte probleme legate de poliție, sunați la 101. Dacă vă îngrijorează un anumit copil, contactați și serviciile sociale pentru copii la { $phone }.
home-what-it-is = Folosiți acest serviciu pentru a spune Poliției din North Yorkshire despre ceva care vă îngrijorează. Ceea ce trimiteți este încuiat (criptat) imediat ce ajunge și numai echipa de informații a poliției îl poate citi.
home-hide = Dacă vă temeți că cineva ar putea vedea că ați folosit acest serviciu, citiți <a href="/hide-your-visit{ $query }" class="govuk-link">cum să vă ascundeți vizita</a>. Folosiți <strong>Părăsiți această pagină</strong> pentru a ieși rapid: șterge răspunsurile pe care le-ați scris.
home-choose = Alegeți formularul potrivit pentru dumneavoastră
home-for-professional = Pentru persoanele care lucrează cu copii sau tineri ori într-un serviciu public.
home-for-community = Pentru oricine altcineva. Nu trebuie să vă dați numele.
home-already-sent = Ați trimis deja o sesizare?
home-follow-up = Dacă ați primit un cod de urmărire, puteți <a href="/follow-up{ $query }" class="govuk-link">verifica dacă ați primit un răspuns</a>. Puteți citi întrebări sau vești de la poliție și puteți adăuga informații, fără să vă dați numele.
home-before = Înainte de a începe
home-before-text = Formularul pentru public durează aproximativ 10 minute, iar cel pentru profesioniști între 15 și 30 de minute. Formularul pune mai întâi câteva întrebări pentru a verifica dacă nu ar trebui să sunați la 999. Vă puteți verifica răspunsurile înainte de a le trimite.
home-next = Ce se întâmplă în continuare
home-next-text = Primiți un număr de referință după ce informațiile au fost salvate. Poliția citește fiecare sesizare. Este posibil să nu vă contacteze și nu va spune nimănui cine a făcut sesizarea.

help-title = Alte modalități de a primi ajutor
help-child = <strong>Dacă sunteți copil sau tânăr</strong> și vreți să vorbiți cu cineva: Childline la <span class="app-nowrap">{ $phone }</span>. Este gratuit și nu apare pe factura de telefon.
help-worried = <strong>Dacă vă îngrijorează un copil</strong> și vreți un sfat: linia de asistență NSPCC la <span class="app-nowrap">{ $phone }</span>.
help-online = <strong>Dacă s-a întâmplat ceva online</strong>, de exemplu unui copil i s-au cerut fotografii sau o întâlnire: raportați la CEOP, la <span class="app-nowrap">{ $address }</span>.
help-anonymous = <strong>Dacă vreți să rămâneți complet anonim(ă)</strong>: Crimestoppers la <span class="app-nowrap">{ $phone }</span>. Nu vă întreabă niciodată numele.

call-999-now = Sunați acum la 999
call-999-text = Dacă cineva este în pericol sau ceva se întâmplă acum ori în următoarele câteva ore, sunați la 999. Acest formular nu este urmărit 24 de ore din 24.
deaf-label = Persoane surde, cu deficiențe de auz sau de vorbire:
relay-label = Relay UK:
call-999-still = Ne puteți spune în continuare ce știți. Când trimiteți acest formular, va fi marcat ca urgent.
call-999-continue = Continuați cu formularul
danger-title = Este cineva în pericol acum?
danger-noticed = Ceva din ce ați scris sugerează că cineva ar putea fi în pericol acum sau în curând:
danger-call = Dacă cineva este în pericol sau ceva se întâmplă acum ori în următoarele câteva ore, sunați acum la 999. Acest formular nu este urmărit 24 de ore din 24.
danger-answer-sent = Răspunsul dumneavoastră este trimis împreună cu sesizarea, ca poliția să știe cât de urgentă este. Puteți trimite sesizarea oricare ar fi răspunsul.

or = sau
only-if-chose = Doar dacă ați ales „{ $option }”:
date-day = Ziua
date-month = Luna
date-year = Anul
characters-up-to = Puteți scrie până la { $max } de caractere
form-part = { $form }: partea { $part } din { $parts }
honeypot-label = Lăsați această casetă goală
remove = Eliminați
add-another = Adăugați încă un element: { $item }
added-most = Ați adăugat numărul maxim permis de acest formular ({ $max }).
save-and-back = Salvați și reveniți la verificarea răspunsurilor

fu-title = Urmăriți o sesizare
fu-your-report-title = Sesizarea dumneavoastră
fu-intro = Dacă ați primit un cod de urmărire când ați trimis o sesizare, introduceți-l aici pentru a vedea dacă poliția are o întrebare sau vești pentru dumneavoastră și pentru a adăuga informații.
fu-danger = Dacă cineva este în pericol acum, sunați la 999.
fu-code-label = Codul dumneavoastră de urmărire
fu-code-hint = Opt cuvinte (în engleză), de exemplu: ribcage pebble outboard tulip grudging wiring unstable lullaby. Codurile date anterior ca 20 de litere și cifre, cum ar fi 7KQ2-M9XD-A1B0-CDEF-GH12, funcționează în continuare.
fu-lost-code = Dacă ați pierdut codul, nimeni nu îl poate găsi pentru dumneavoastră. Pentru a adăuga informații, <a class="govuk-link" href="/{ $query }">trimiteți o sesizare nouă</a> și menționați numărul de referință dacă îl aveți.
fu-success = Trimis
fu-sent-again = Acest lucru fusese deja trimis.
fu-sent = Ce ați adăugat a fost trimis poliției.
fu-its-reference = Numărul de referință este
call-999-if-not = Dacă nu ați făcut-o deja, sunați acum la 999.
fu-your-report = Sesizarea dumneavoastră
fu-status = Stare
fu-since = din { $date }
fu-messages = Mesaje
fu-from-police = De la poliție
fu-from-you = De la dumneavoastră
fu-no-messages = Nu există încă mesaje.
fu-add-label = Răspundeți sau adăugați informații
fu-add-hint = Ajunge la echipa de informații a poliției, cu referința sesizării dumneavoastră. Până la { $max } de caractere.
fu-send = Trimiteți
fu-check-new = Verificați dacă aveți mesaje noi
fu-finished = Când ați terminat, închideți această pagină sau folosiți Părăsiți această pagină. Nimic de aici nu rămâne în browser.

check-title = Verificați răspunsurile
check-heading = Verificați răspunsurile înainte de trimitere
check-nothing-sent = Nu s-a trimis încă nimic. Puteți modifica orice răspuns.
check-files-first = Dacă vreți să adăugați fotografii, capturi de ecran sau documente, modificați mai întâi răspunsurile: fișierele se aleg la sfârșitul acestei pagini, chiar înainte de trimitere, și nu se păstrează dacă reveniți sau modificați un răspuns.
check-change = Modificați
check-change-hidden = răspunsurile: { $section }
check-no-answers = Niciun răspuns în această parte.
check-add-files = Adăugați fotografii, capturi de ecran sau documente (opțional)
check-files-limits = Puteți adăuga până la { $files } fișiere: imagini JPG, PNG sau WebP. Fiecare trebuie să aibă mai puțin de { $each } MB, iar toate împreună mai puțin de { $total } MB.
check-files-limits-pdf = Puteți adăuga până la { $files } fișiere: imagini JPG, PNG sau WebP ori documente PDF. Fiecare trebuie să aibă mai puțin de { $each } MB, iar toate împreună mai puțin de { $total } MB.
check-files-cleaned = Fotografiile și capturile de ecran sunt curățate înainte de trimitere: se elimină detaliile pe care telefonul sau camera le stochează în ele, cum ar fi unde și când a fost făcută o fotografie și cu ce dispozitiv.
check-documents-as-they-are = Documentele sunt trimise așa cum sunt.
check-choose-again = Răspunsurile sunt păstrate: alegeți din nou fișierele.
check-want-code = Vreți un cod de urmărire?
check-code-hint = Cu un cod puteți reveni pe acest site pentru a vedea dacă poliția are o întrebare sau vești pentru dumneavoastră și pentru a adăuga informații. Codul este afișat o singură dată, după ce trimiteți sesizarea.
check-code-hint-community = Cu un cod puteți reveni pe acest site pentru a vedea dacă poliția are o întrebare sau vești pentru dumneavoastră și pentru a adăuga informații, fără să vă dați numele. Codul este afișat o singură dată, după ce trimiteți sesizarea.
check-code-yes = Da, dați-mi un cod de urmărire
check-code-no = Nu, nu vreau un cod
check-now-send = Acum trimiteți sesizarea
check-encrypted = Când o trimiteți, sesizarea și fișierele sunt criptate și ajung la echipa de informații a poliției.
check-send = Trimiteți sesizarea
sent-title = Informații trimise
sent-your-reference = Numărul dumneavoastră de referință
sent-write-down = Notați numărul de referință sau faceți o captură de ecran dacă este sigur. Nu este afișat în altă parte.
sent-next-text = Echipa de informații a poliției vă va citi informațiile și va decide ce să facă. Le poate transmite altor organizații care protejează copiii. Nu va spune nimănui cine a făcut sesizarea.
sent-urgent = Acest serviciu nu este supravegheat 24 de ore din 24. Informațiile dumneavoastră au fost marcate ca urgente, dar un apel este cea mai rapidă cale de a primi ajutor. Persoane surde, cu deficiențe de auz sau de vorbire: { $sms } sau Relay UK la { $relay }.
sent-code-title = Codul dumneavoastră de urmărire
sent-copy-code = Copiați codul
sent-code-write-down = Notați acest cod acum. Este afișat doar această dată: nimeni nu vi-l poate arăta din nou sau găsi pentru dumneavoastră.
sent-code-keep = Păstrați codul împreună cu numărul de referință, într-un loc unde persoana pe care ați semnalat-o nu îl poate vedea.
sent-when-check = Când să verificați dacă ați primit un răspuns
sent-when-check-text = Poliția ar putea avea o întrebare pentru dumneavoastră în câteva zile. Verificați după 3 zile, apoi o dată pe săptămână în următoarele câteva săptămâni.
sent-how-check = Pentru a verifica, alegeți <a class="govuk-link" href="/follow-up{ $query }">Verificați dacă ați primit un răspuns la o sesizare</a> în partea de sus a oricărei pagini a acestui site și introduceți codul. Tot acolo puteți adăuga informații. Poliția nu poate vedea codul și nimeni nu le poate citi mesajele către dumneavoastră fără el.
sent-code-failed = Un cod de urmărire nu a putut fi creat acum. Sesizarea a fost trimisă. Pentru a adăuga informații, completați un formular nou și menționați această referință.

hide-title = Cum să vă ascundeți vizita
hide-intro = Dacă vă temeți că cineva ar putea afla că ați vizitat acest site, puteți face câteva lucruri pentru a vă ascunde vizita.
hide-limits = Acești pași s-ar putea să nu ascundă totul. Cineva care a instalat pe dispozitivul dumneavoastră un program care urmărește ce faceți ar putea vedea în continuare. Dacă puteți, folosiți un dispozitiv pe care persoana de care vă temeți nu îl poate folosi, de exemplu telefonul unui prieten sau un calculator de la bibliotecă.
hide-leave = Ieșiți rapid
hide-leave-text = Folosiți butonul <strong>Părăsiți această pagină</strong> din partea de sus a fiecărei pagini pentru a ajunge imediat pe un site meteo. Pe un calculator cu tastatură puteți apăsa și tasta Shift de 3 ori.
hide-leave-form = Într-un formular, butonul de ieșire șterge și răspunsurile scrise până atunci, ca să nu poată fi văzute revenind în browser. Nu șterge vizita din istoricul browserului.
hide-private = Folosiți navigarea privată
hide-private-text = O fereastră privată nu păstrează în istoric paginile vizitate după ce o închideți. Se numește:
hide-private-chrome = Incognito în Google Chrome
hide-private-safari = Navigare privată în Safari și Firefox
hide-private-edge = InPrivate în Microsoft Edge
hide-private-samsung = Modul secret în Samsung Internet
hide-private-close = Închideți toate ferestrele private când ați terminat.
hide-history = Ștergeți istoricul de navigare
hide-history-text = Dacă nu ați folosit o fereastră privată, ștergeți acest site din istoricul browserului. Deschideți istoricul (adesea în meniu, la <strong>Istoric</strong>), găsiți paginile acestui site și ștergeți-le. Ștergerea doar a unor pagini pare mai puțin neobișnuită decât ștergerea întregului istoric.
hide-shared = Pe un telefon, o tabletă sau un calculator folosit în comun
hide-shared-code = Nu salvați codul de urmărire sau numărul de referință în notițe, fotografii sau mesaje pe care le poate vedea cealaltă persoană. Scrieți-le undeva unde doar dumneavoastră aveți acces.
hide-shared-clipboard = Dacă ați copiat codul de urmărire, copiați apoi altceva, ca să nu rămână în clipboard.
hide-shared-tab = Închideți fila acestui site când ați terminat.
hide-shared-account = Verificați că nu sunteți conectat(ă) la un cont pe care îl vede și cealaltă persoană, de exemplu un cont Google sau Apple comun, care vă poate sincroniza istoricul pe alte dispozitive.

cc-under-one = Mai aveți { $count } caracter
cc-under-other = Mai aveți { $count } caractere
cc-at-limit = Mai aveți 0 caractere
cc-over-one = Aveți { $count } caracter în plus
cc-over-other = Aveți { $count } caractere în plus

## Adăugate în această rundă: lista de persoane, lista secțiunilor, copia, salvarea pentru mai târziu, fișiere la o sesizare (ciornă a echipei, de verificat de un vorbitor nativ)
pick-hint = Alegeți dintre persoanele pe care le-ați adăugat. Dacă nu sunt în listă, adăugați-le mai întâi în secțiunea despre persoane.
pick-none = Necunoscut sau nu este în listă
entry-empty = Nu s-a introdus încă nimic
tasks-title = Sesizarea dumneavoastră
tasks-link = Salvați și vedeți toate secțiunile
tasks-view = Vedeți toate secțiunile
tasks-done = Ați completat { $done } din { $total } secțiuni.
task-completed = Completată
task-in-progress = În curs
task-not-started = Neîncepută
tasks-check = Verificați răspunsurile și trimiteți
tasks-check-later = Când toate secțiunile sunt completate, vă puteți verifica răspunsurile și trimite formularul.
save-later = Salvați și reveniți mai târziu
saved-title = Răspunsurile dumneavoastră au fost salvate
saved-sent = V-am trimis un link la adresa de e-mail de serviciu pe care ați dat-o. Deschideți-l pentru a continua formularul. Funcționează o singură dată, timp de { $days ->
    [one] o zi
    [few] { $days } zile
   *[other] { $days } de zile
}; după aceea, răspunsurile sunt șterse.
saved-once = Deschideți linkul în browserul în care vreți să terminați formularul: răspunsurile vor fi apoi doar în acel browser, până când le trimiteți, ieșiți cu „Părăsiți această pagină” sau vă opriți timp de o oră.
saved-not-here = Nu a rămas nimic din răspunsurile dumneavoastră în acest browser.
resume-title = Continuați formularul salvat
resume-key-label = Cheia răspunsurilor salvate
resume-key-hint = Cu JavaScript activat, câmpul se completează din linkul din e-mail. Fără el, copiați partea linkului de după semnul # și lipiți-o aici. Este trimisă doar în acest formular, niciodată într-o adresă web.
resume-continue = Continuați
resume-failed = Acest link a fost deja folosit, a expirat sau nu a fost copiat în întregime
copy-link = Tipăriți sau salvați o copie a ceea ce ați trimis
copy-link-hint = Pentru evidența dumneavoastră. Este disponibilă doar pentru scurt timp, în acest browser, și nu după ce ieșiți cu „Părăsiți această pagină”.
copy-title = O copie a informațiilor pe care le-ați trimis
copy-reference = referința
copy-sent-on = Trimisă pe { $date }.
copy-how = Pentru a păstra o copie, folosiți opțiunea Tipărire a browserului (Ctrl și P sau, pe telefon, Partajare și apoi Tipărire) și alegeți o imprimantă sau Salvare ca PDF pentru a păstra un fișier. Referința este tipărită în partea de sus a fiecărei pagini.
copy-short-time = Păstrați-o conform regulilor de evidență ale organizației dumneavoastră. Această pagină este disponibilă doar pentru scurt timp, în acest browser: nu este păstrată nicăieri unde să puteți reveni.
copy-back = Înapoi la confirmare
fu-add-files = Adăugați fotografii sau documente (opțional)
sent-duplicate = Acest formular fusese deja trimis, așa că nu a fost trimis din nou, iar modificările făcute între timp nu au fost trimise. Referința este aceeași.
sent-duplicate-new = Pentru a adăuga sau corecta ceva, <a class="govuk-link" href="/forms/{ $form }{ $query }">completați un formular nou</a> și menționați această referință.
sent-duplicate-new-professional = Pentru a adăuga sau corecta ceva, <a class="govuk-link" href="/forms/{ $form }">completați un formular nou</a> și dați această referință ca referință anterioară.
saved-email-subject = Formularul dumneavoastră salvat
saved-email-body =
    Ați salvat un formular pentru a-l termina mai târziu.

    Pentru a continua, deschideți acest link într-un browser web. Funcționează o singură dată, timp de { $days ->
        [one] o zi
        [few] { $days } zile
       *[other] { $days } de zile
    }:
    { $link }

    Linkul conține singura cheie a răspunsurilor salvate: nu redirecționați acest e-mail. După ce
    deschideți linkul, răspunsurile sunt doar în acel browser.

    Dacă nu ați cerut acest lucru, ignorați e-mailul: răspunsurile salvate vor fi șterse.

    Nu răspundeți la acest e-mail: răspunsurile nu sunt citite.

date-in-words = { $day } { $month ->
    [1] ianuarie
    [2] februarie
    [3] martie
    [4] aprilie
    [5] mai
    [6] iunie
    [7] iulie
    [8] august
    [9] septembrie
    [10] octombrie
    [11] noiembrie
   *[12] decembrie
} { $year }
date-month-year = { $month ->
    [1] ianuarie
    [2] februarie
    [3] martie
    [4] aprilie
    [5] mai
    [6] iunie
    [7] iulie
    [8] august
    [9] septembrie
    [10] octombrie
    [11] noiembrie
   *[12] decembrie
} { $year }

list-comma = {", "}
