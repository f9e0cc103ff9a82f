### Română: titlurile și paragrafele paginilor de mesaj. Ciornă.

msg-not-found = Pagina nu a fost găsită
msg-check-address = Dacă ați scris adresa, verificați dacă este corectă.
msg-start-again = Puteți începe din nou de la pagina de start.
msg-problem-service = Ne pare rău, există o problemă cu serviciul
msg-problem-this-service = Ne pare rău, există o problemă cu acest serviciu
msg-not-kept = Răspunsurile nu au putut fi păstrate. Încercați din nou peste câteva minute.
msg-danger-999-101 = Dacă cineva este în pericol acum, sunați la 999. Altfel, puteți suna la 101.
msg-danger-999 = Dacă cineva este în pericol acum, sunați la 999.
msg-link-used = Este posibil să fi fost deja folosit sau să fie prea vechi. Fiecare link funcționează o singură dată.
msg-link-unusable = Acest link nu poate fi folosit
msg-wait-minute = Nu s-a trimis încă nimic. Așteptați un minut, reveniți și trimiteți din nou formularul: răspunsurile sunt încă pe pagina de unde ați venit.
msg-check-connection = Nu s-a trimis nimic. Verificați conexiunea, reveniți și trimiteți din nou formularul.
msg-few-minutes = Nu s-a trimis nimic. Reveniți și trimiteți din nou formularul peste câteva minute: răspunsurile sunt păstrate.
msg-go-back-send = Nu s-a trimis nimic. Reveniți și trimiteți din nou formularul.
msg-go-back-try = Nu s-a trimis nimic. Reveniți și încercați din nou.
msg-shorten = Nu s-a trimis nimic. Reveniți, scurtați cele mai lungi răspunsuri sau trimiteți mai puține fișiere ori fișiere mai mici și trimiteți din nou formularul.
msg-open-follow-up = Nu s-a trimis nimic. Deschideți din nou pagina de urmărire de pe acest site.
msg-open-form = Nu s-a trimis nimic. Deschideți din nou formularul de pe acest site și completați-l acolo.
msg-please-wait = Așteptați un minut și încercați din nou. Nimic din ce ați scris nu a fost trimis încă: reveniți pentru a vă păstra răspunsurile.
msg-send-from-follow-up = Trimiteți-l de pe pagina de urmărire a acestui site.
msg-send-from-form = Trimiteți formularul de pe pagina lui de pe acest site.
msg-not-saved = Ne pare rău, sesizarea nu a putut fi salvată
msg-busy-files = Serviciul este ocupat cu primirea fișierelor
msg-form-unchecked = Acest formular nu a putut fi verificat
msg-form-unread = Acest formular nu a putut fi citit
msg-page-unchecked = Această pagină nu a putut fi verificată
msg-page-unread = Această pagină nu a putut fi citită
msg-too-many = Prea multe cereri
msg-try-later = Încercați din nou peste câteva minute. Nimic din ce ați scris nu a fost trimis: reveniți pentru a-l păstra.
msg-too-long = Răspunsurile sunt prea lungi pentru a fi trimise
msg-did-not-arrive = Răspunsurile nu au ajuns
msg-too-slow = Răspunsurile au ajuns prea greu
msg-page-open-long = Această pagină a fost deschisă mult timp. Răspunsurile nu au fost încă trimise: verificați-le și trimiteți din nou formularul.
msg-files-not-kept = Fișierele alese nu au fost păstrate. Alegeți-le din nou pe pagina de verificare a răspunsurilor, chiar înainte de a trimite sesizarea.
msg-fu-open-long = Această pagină a fost deschisă mult timp. Introduceți din nou codul.
msg-fu-no-match = Nicio sesizare nu corespunde acestui cod. Verificați că l-ați scris exact cum vi s-a arătat
msg-fu-enter = Scrieți ce vreți să adăugați sau să spuneți poliției
msg-danger-unanswered = Selectați da dacă cineva este în pericol acum sau dacă se va întâmpla ceva în următoarele 24 de ore

noticed-hurt = Ați scris că cineva ar putea fi grav rănit sau ucis.
noticed-threatened-harm = Ați scris că cineva a fost amenințat cu un rău grav.
noticed-now = Ați scris că ceva s-ar putea întâmpla chiar acum.
noticed-24h = Ați scris că ceva s-ar putea întâmpla în următoarele 24 de ore.
noticed-missing = Ați scris că un copil a dispărut și ar putea fi cu cineva periculos.
noticed-weapon = Ați scris despre un cuțit, o armă de foc sau altă armă.
noticed-held = Ați scris că cineva este ținut undeva și nu poate pleca.
noticed-medical = Ați scris că cineva ar putea avea nevoie urgentă de ajutor medical.
noticed-retaliation = Ați scris că cineva a fost amenințat din cauza a ceea ce a spus.
noticed-online = Ați scris că un copil este rănit sau amenințat online.
noticed-contact = Ați scris că legătura unui adult cu un copil devine tot mai strânsă.
noticed-evidence = Ați scris că dovezile s-ar putea pierde în curând.

## Adăugate în această rundă (ciornă a echipei, de verificat de un vorbitor nativ)
msg-fu-enter-code = Introduceți codul de urmărire
msg-fu-code-20 = Un cod de urmărire are 20 de litere și cifre. Verificați că l-ați scris exact cum vi s-a arătat
msg-fu-code-characters = Un cod de urmărire are doar litere și cifre. Verificați că l-ați scris exact cum vi s-a arătat
msg-fu-code-words = Un cod de urmărire are opt cuvinte din lista noastră de cuvinte. Verificați că l-ați scris exact cum vi s-a arătat
msg-fu-too-long = Ce adăugați trebuie să aibă cel mult { $max } de caractere
msg-fu-unopened = Acest mesaj nu a putut fi deschis.
msg-fu-files-again = { $problem }. Alegeți din nou fișierele
msg-fu-file-unread = Un fișier nu a putut fi citit. Alegeți-l din nou sau trimiteți ce ați scris fără el
msg-status-received = Primită
msg-status-being-looked-at = În analiză
msg-status-passed-to-team = Transmisă echipei potrivite
msg-status-closed = Închisă
msg-files-too-many = Puteți adăuga cel mult { $max ->
    [one] un fișier
    [few] { $max } fișiere
   *[other] { $max } de fișiere
}
msg-file-empty = Fișierul { $n } este gol
msg-file-too-large = Fișierul { $n } trebuie să fie mai mic de { $size }
msg-files-too-large = Fișierele împreună trebuie să fie mai mici de { $size }
msg-file-not-accepted-pdf = Fișierul { $n } trebuie să fie JPG, PNG, WebP sau PDF
msg-file-not-accepted = Fișierul { $n } trebuie să fie o imagine JPG, PNG sau WebP
msg-file-damaged = Fișierul { $n } nu a putut fi deschis: poate fi deteriorat
msg-file-too-many-pixels = Fișierul { $n } trebuie să aibă mai puțin de { $max } megapixeli
msg-file-unread = Un fișier nu a putut fi citit. Alegeți-l din nou sau trimiteți sesizarea fără el
msg-save-needs-email = Pentru a vă salva răspunsurile și a reveni mai târziu, introduceți mai întâi aici adresa de e-mail de serviciu: linkul către formularul salvat este trimis acolo. Apoi alegeți din nou „Salvați și reveniți mai târziu”.
msg-save-not-sent = Răspunsurile nu au putut fi salvate pentru mai târziu, deoarece e-mailul cu linkul nu a putut fi trimis. Sunt încă aici: încercați din nou peste câteva minute sau continuați acum.
