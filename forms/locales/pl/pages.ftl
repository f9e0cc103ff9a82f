### Polski. Przetłumaczone przez zespół pis-gateway.
### review = "draft: needs review by a native speaker" (see language.toml)

service-name = Przekaż informacje policji
follow-up-link = Sprawdź odpowiedź na zgłoszenie
menu-label = Menu
languages-label = Języki
urgent-banner = Ta usługa nie jest monitorowana przez całą dobę. Jeśli ktoś jest teraz w niebezpieczeństwie, zadzwoń pod <strong>999</strong>. W innych sprawach policyjnych dzwoń pod <strong>101</strong>.
skip-link = Przejdź do treści głównej
support-links = Linki pomocnicze
accessibility-link = Deklaracja dostępności
privacy-link = Informacja o prywatności
deaf-contacts = Osoby głuche, niedosłyszące lub z zaburzeniami mowy: wyślij SMS pod 999, jeśli masz rejestrację w emergencySMS, albo skorzystaj z Relay UK pod numerem 18000 (18001 101 w sprawach niepilnych).
exit-hidden = Nagłe wyjście
exit-button = Opuść tę stronę
error-prefix = Błąd:
warning-hidden = Ostrzeżenie
error-summary-title = Wystąpił problem
back = Wstecz
continue = Dalej
go-to-start = Przejdź do strony startowej
option-yes = Tak
option-no = Nie
option-not_sure = Nie wiem

home-title = Zgłoś obawy
home-danger-now = Jeśli ktoś jest teraz w niebezpieczeństwie albo coś dzieje się w tej chwili, zadzwoń pod 999.
home-other-matters = W innych sprawach policyjnych dzwoń pod 101. Jeśli martwisz się o konkretne dziecko, skontaktuj się też z opieką społeczną dla dzieci (children's social care) pod numerem { $phone }.
home-what-it-is = Za pomocą tej usługi możesz powiedzieć policji North Yorkshire o czymś, co cię niepokoi. To, co wyślesz, jest zabezpieczane (szyfrowane) od razu po dotarciu i może to przeczytać tylko policyjny zespół wywiadu.
home-hide = Jeśli obawiasz się, że ktoś zobaczy, że korzystasz z tej usługi, przeczytaj, <a href="/hide-your-visit{ $query }" class="govuk-link">jak ukryć swoją wizytę</a>. Użyj przycisku <strong>Opuść tę stronę</strong>, aby szybko wyjść: usuwa on wpisane odpowiedzi.
home-choose = Wybierz odpowiedni formularz
home-for-professional = Dla osób pracujących z dziećmi lub młodzieżą albo w służbach publicznych.
home-for-community = Dla wszystkich innych. Nie musisz podawać imienia i nazwiska.
home-already-sent = Już wysłałeś(-aś) zgłoszenie?
home-follow-up = Jeśli otrzymałeś(-aś) kod kontynuacji, możesz <a href="/follow-up{ $query }" class="govuk-link">sprawdzić odpowiedź na zgłoszenie</a>. Możesz przeczytać pytania lub wiadomości od policji i dodać informacje bez podawania nazwiska.
home-before = Zanim zaczniesz
home-before-text = Formularz dla mieszkańców zajmuje około 10 minut, a formularz dla specjalistów od 15 do 30 minut. Formularz najpierw zadaje kilka pytań, aby sprawdzić, czy nie powinieneś(-aś) zamiast tego zadzwonić pod 999. Przed wysłaniem możesz sprawdzić swoje odpowiedzi.
home-next = Co dalej
home-next-text = Po zapisaniu informacji otrzymasz numer referencyjny. Policja czyta każde zgłoszenie. Może się z tobą nie kontaktować i nikomu nie powie, kto złożył zgłoszenie.

help-title = Inne sposoby uzyskania pomocy
help-child = <strong>Jeśli jesteś dzieckiem lub młodą osobą</strong> i chcesz z kimś porozmawiać: Childline pod numerem <span class="app-nowrap">{ $phone }</span>. Połączenie jest bezpłatne i nie pojawia się na rachunku.
help-worried = <strong>Jeśli martwisz się o dziecko</strong> i potrzebujesz porady: infolinia NSPCC pod numerem <span class="app-nowrap">{ $phone }</span>.
help-online = <strong>Jeśli coś stało się w internecie</strong>, na przykład ktoś prosił dziecko o zdjęcia lub o spotkanie: zgłoś to do CEOP na <span class="app-nowrap">{ $address }</span>.
help-anonymous = <strong>Jeśli chcesz pozostać całkowicie anonimowy(-a)</strong>: Crimestoppers pod numerem <span class="app-nowrap">{ $phone }</span>. Nigdy nie pytają o nazwisko.

call-999-now = Zadzwoń teraz pod 999
call-999-text = Jeśli ktoś jest w niebezpieczeństwie albo coś dzieje się teraz lub wydarzy się w ciągu najbliższych kilku godzin, zadzwoń pod 999. Ten formularz nie jest sprawdzany przez całą dobę.
deaf-label = Osoby głuche, niedosłyszące lub z zaburzeniami mowy:
relay-label = Relay UK:
call-999-still = Nadal możesz przekazać nam to, co wiesz. Po wysłaniu formularz zostanie oznaczony jako pilny.
call-999-continue = Przejdź do formularza
danger-title = Czy ktoś jest teraz w niebezpieczeństwie?
danger-noticed = Coś, co napisałeś(-aś), wskazuje, że ktoś może być w niebezpieczeństwie teraz lub wkrótce:
danger-call = Jeśli ktoś jest w niebezpieczeństwie albo coś dzieje się teraz lub wydarzy się w ciągu najbliższych kilku godzin, zadzwoń teraz pod 999. Ten formularz nie jest sprawdzany przez całą dobę.
danger-answer-sent = Twoja odpowiedź zostanie wysłana razem ze zgłoszeniem, aby policja wiedziała, jak pilna jest sprawa. Zgłoszenie możesz wysłać niezależnie od odpowiedzi.

or = lub
only-if-chose = Tylko jeśli wybrano „{ $option }”:
date-day = Dzień
date-month = Miesiąc
date-year = Rok
characters-up-to = Możesz wpisać do { $max } znaków
form-part = { $form }: część { $part } z { $parts }
honeypot-label = Zostaw to pole puste
remove = Usuń
add-another = Dodaj kolejny element: { $item }
added-most = Dodano najwięcej, ile pozwala formularz ({ $max }).
save-and-back = Zapisz i wróć do sprawdzenia odpowiedzi

fu-title = Sprawdź zgłoszenie
fu-your-report-title = Twoje zgłoszenie
fu-intro = Jeśli po wysłaniu zgłoszenia otrzymałeś(-aś) kod kontynuacji, wpisz go tutaj, aby sprawdzić, czy policja ma do ciebie pytanie lub wiadomość, i aby dodać informacje.
fu-danger = Jeśli ktoś jest teraz w niebezpieczeństwie, zadzwoń pod 999.
fu-code-label = Twój kod kontynuacji
fu-code-hint = Osiem słów (po angielsku), na przykład: ribcage pebble outboard tulip grudging wiring unstable lullaby. Starsze kody z 20 liter i cyfr, takie jak 7KQ2-M9XD-A1B0-CDEF-GH12, nadal działają.
fu-lost-code = Jeśli zgubiłeś(-aś) kod, nikt nie może go odnaleźć. Aby dodać informacje, <a class="govuk-link" href="/{ $query }">wyślij nowe zgłoszenie</a> i podaj numer referencyjny, jeśli go masz.
fu-success = Wysłano
fu-sent-again = To zostało już wysłane.
fu-sent = To, co dodałeś(-aś), zostało wysłane na policję.
fu-its-reference = Numer referencyjny:
call-999-if-not = Jeśli jeszcze tego nie zrobiłeś(-aś), zadzwoń teraz pod 999.
fu-your-report = Twoje zgłoszenie
fu-status = Status
fu-since = od { $date }
fu-messages = Wiadomości
fu-from-police = Od policji
fu-from-you = Od ciebie
fu-no-messages = Nie ma jeszcze wiadomości.
fu-add-label = Odpowiedz lub dodaj informacje
fu-add-hint = Trafi to do policyjnego zespołu wywiadu z numerem referencyjnym twojego zgłoszenia. Do { $max } znaków.
fu-send = Wyślij
fu-check-new = Sprawdź nowe wiadomości
fu-finished = Gdy skończysz, zamknij tę stronę lub użyj przycisku Opuść tę stronę. Nic z tej strony nie zostaje w przeglądarce.

check-title = Sprawdź odpowiedzi
check-heading = Sprawdź odpowiedzi przed wysłaniem
check-nothing-sent = Nic jeszcze nie zostało wysłane. Możesz zmienić każdą odpowiedź.
check-files-first = Jeśli chcesz dodać zdjęcia, zrzuty ekranu lub dokumenty, najpierw zmień odpowiedzi: pliki wybiera się na końcu tej strony, tuż przed wysłaniem, i nie są zachowywane, jeśli wrócisz lub zmienisz odpowiedź.
check-change = Zmień
check-change-hidden = odpowiedzi: { $section }
check-no-answers = Brak odpowiedzi w tej części.
check-add-files = Dodaj zdjęcia, zrzuty ekranu lub dokumenty (nieobowiązkowe)
check-files-limits = Możesz dodać do { $files } plików: obrazy JPG, PNG lub WebP. Każdy musi mieć mniej niż { $each } MB, a wszystkie razem mniej niż { $total } MB.
check-files-limits-pdf = Możesz dodać do { $files } plików: obrazy JPG, PNG lub WebP albo dokumenty PDF. Każdy musi mieć mniej niż { $each } MB, a wszystkie razem mniej niż { $total } MB.
check-files-cleaned = Zdjęcia i zrzuty ekranu są czyszczone przed wysłaniem: usuwane są zapisane w nich informacje, np. gdzie i kiedy zrobiono zdjęcie i jakim urządzeniem.
check-documents-as-they-are = Dokumenty są wysyłane bez zmian.
check-choose-again = Twoje odpowiedzi są zachowane: wybierz pliki ponownie.
check-want-code = Czy chcesz otrzymać kod kontynuacji?
check-code-hint = Z kodem możesz wrócić na tę stronę, aby sprawdzić, czy policja ma do ciebie pytanie lub wiadomość, i dodać informacje. Kod jest pokazywany raz, po wysłaniu zgłoszenia.
check-code-hint-community = Z kodem możesz wrócić na tę stronę, aby sprawdzić, czy policja ma do ciebie pytanie lub wiadomość, i dodać informacje bez podawania nazwiska. Kod jest pokazywany raz, po wysłaniu zgłoszenia.
check-code-yes = Tak, chcę kod kontynuacji
check-code-no = Nie, nie chcę kodu
check-now-send = Teraz wyślij zgłoszenie
check-encrypted = Po wysłaniu twoje zgłoszenie i pliki są szyfrowane i trafiają do policyjnego zespołu wywiadu.
check-send = Wyślij zgłoszenie
sent-title = Informacje wysłane
sent-your-reference = Twój numer referencyjny
sent-write-down = Zapisz numer referencyjny lub zrób zrzut ekranu, jeśli jest to bezpieczne. Nie jest on pokazywany nigdzie indziej.
sent-next-text = Policyjny zespół wywiadu przeczyta twoje informacje i zdecyduje, co zrobić. Może je przekazać innym organizacjom, które chronią dzieci. Nikomu nie powie, kto złożył zgłoszenie.
sent-urgent = Ta usługa nie jest monitorowana przez całą dobę. Twoje informacje oznaczono jako pilne, ale telefon to najszybszy sposób uzyskania pomocy. Osoby głuche, niedosłyszące lub z zaburzeniami mowy: { $sms } albo Relay UK pod numerem { $relay }.
sent-code-title = Twój kod kontynuacji
sent-copy-code = Kopiuj kod
sent-code-write-down = Zapisz ten kod teraz. Jest pokazywany tylko ten jeden raz: nikt nie może pokazać go ponownie ani go odnaleźć.
sent-code-keep = Przechowuj kod razem z numerem referencyjnym, w miejscu, którego osoba, którą zgłaszasz, nie zobaczy.
sent-when-check = Kiedy sprawdzać odpowiedź
sent-when-check-text = Policja może mieć do ciebie pytanie w ciągu kilku dni. Sprawdź po 3 dniach, a potem raz w tygodniu przez kilka następnych tygodni.
sent-how-check = Aby sprawdzić, wybierz <a class="govuk-link" href="/follow-up{ $query }">Sprawdź odpowiedź na zgłoszenie</a> u góry dowolnej strony tej witryny i wpisz kod. Możesz tam też dodać informacje. Policja nie widzi kodu i nikt nie przeczyta jej wiadomości do ciebie bez niego.
sent-code-failed = Nie udało się teraz utworzyć kodu kontynuacji. Zgłoszenie zostało wysłane. Aby dodać informacje, wypełnij nowy formularz i podaj ten numer referencyjny.

hide-title = Jak ukryć swoją wizytę
hide-intro = Jeśli obawiasz się, że ktoś może się dowiedzieć o twojej wizycie na tej stronie, możesz ją ukryć na kilka sposobów.
hide-limits = Te kroki mogą nie ukryć wszystkiego. Ktoś, kto zainstalował na twoim urządzeniu oprogramowanie do śledzenia, nadal może to zobaczyć. Jeśli możesz, użyj urządzenia, z którego ta osoba nie korzysta, np. telefonu znajomego lub komputera w bibliotece.
hide-leave = Szybkie wyjście
hide-leave-text = Użyj przycisku <strong>Opuść tę stronę</strong> u góry każdej strony, aby od razu przejść na stronę z pogodą. Na komputerze z klawiaturą możesz też trzy razy nacisnąć klawisz Shift.
hide-leave-form = W formularzu przycisk wyjścia usuwa też wpisane dotąd odpowiedzi, więc nie da się ich zobaczyć, cofając się w przeglądarce. Nie usuwa wizyty z historii przeglądarki.
hide-private = Użyj trybu prywatnego
hide-private-text = Okno prywatne po zamknięciu nie zostawia odwiedzonych stron w historii. Nazywa się:
hide-private-chrome = Incognito w Google Chrome
hide-private-safari = Przeglądanie prywatne w Safari i Firefox
hide-private-edge = InPrivate w Microsoft Edge
hide-private-samsung = Tryb tajny w Samsung Internet
hide-private-close = Po zakończeniu zamknij wszystkie okna prywatne.
hide-history = Usuń historię przeglądania
hide-history-text = Jeśli nie używano okna prywatnego, usuń tę stronę z historii przeglądarki. Otwórz historię (często w menu <strong>Historia</strong>), znajdź strony tej witryny i usuń je. Usunięcie tylko kilku stron wygląda mniej podejrzanie niż usunięcie całej historii.
hide-shared = Na wspólnym telefonie, tablecie lub komputerze
hide-shared-code = Nie zapisuj kodu kontynuacji ani numeru referencyjnego w notatkach, zdjęciach lub wiadomościach, które widzi druga osoba. Zapisz je tam, gdzie tylko ty masz dostęp.
hide-shared-clipboard = Jeśli skopiowano kod kontynuacji, skopiuj potem coś innego, aby nie został w schowku.
hide-shared-tab = Po zakończeniu zamknij kartę tej strony.
hide-shared-account = Sprawdź, czy nie jesteś zalogowany(-a) na konto, które widzi też druga osoba, np. wspólne konto Google lub Apple, które może synchronizować historię z innymi urządzeniami.

cc-under-one = Pozostał { $count } znak
cc-under-other = Pozostało znaków: { $count }
cc-at-limit = Nie pozostał żaden znak
cc-over-one = O { $count } znak za dużo
cc-over-other = Za dużo znaków: { $count }

## Dodane w tej rundzie: lista osób, lista części, kopia, zapisanie na później, pliki do zgłoszenia (wersja robocza zespołu, do sprawdzenia przez rodzimego użytkownika)
pick-hint = Wybierz spośród dodanych osób. Jeśli ich tu nie ma, najpierw dodaj je w części z osobami.
pick-none = Nieznana lub nie ma jej na liście
entry-empty = Jeszcze nic nie wpisano
tasks-title = Twoje zgłoszenie
tasks-link = Zapisz i zobacz wszystkie części
tasks-view = Zobacz wszystkie części
tasks-done = Ukończono { $done } z { $total } części.
task-completed = Ukończono
task-in-progress = W toku
task-not-started = Nie rozpoczęto
tasks-check = Sprawdź odpowiedzi i wyślij
tasks-check-later = Gdy wszystkie części będą ukończone, możesz sprawdzić odpowiedzi i wysłać formularz.
save-later = Zapisz i wróć później
saved-title = Twoje odpowiedzi zostały zapisane
saved-sent = Wysłaliśmy link na podany służbowy adres e-mail. Otwórz go, aby dokończyć formularz. Link działa raz, przez { $days ->
    [one] { $days } dzień
   *[other] { $days } dni
}; potem odpowiedzi zostaną usunięte.
saved-once = Otwórz link w przeglądarce, w której chcesz dokończyć formularz: odpowiedzi będą wtedy tylko w tej przeglądarce, dopóki ich nie wyślesz, nie wyjdziesz przyciskiem „Opuść tę stronę” albo nie przerwiesz na godzinę.
saved-not-here = W tej przeglądarce nie zostało nic z twoich odpowiedzi.
resume-title = Dokończ zapisany formularz
resume-key-label = Klucz do zapisanych odpowiedzi
resume-key-hint = Przy włączonym JavaScripcie to pole wypełnia się samo z linku w e-mailu. Bez niego skopiuj część linku po znaku # i wklej ją tutaj. Jest wysyłana tylko w tym formularzu, nigdy w adresie strony.
resume-continue = Dalej
resume-failed = Ten link został już użyty, wygasł albo nie został skopiowany w całości
copy-link = Wydrukuj lub zapisz kopię tego, co wysłano
copy-link-hint = Do twojej dokumentacji. Jest dostępna tylko przez krótki czas, w tej przeglądarce, i nie po wyjściu przyciskiem „Opuść tę stronę”.
copy-title = Kopia wysłanych informacji
copy-reference = numer referencyjny
copy-sent-on = Wysłano { $date }.
copy-how = Aby zachować kopię, użyj opcji Drukuj w przeglądarce (Ctrl i P albo na telefonie Udostępnij, a potem Drukuj) i wybierz drukarkę albo Zapisz jako PDF, aby zachować plik. Numer referencyjny jest drukowany u góry każdej strony.
copy-short-time = Przechowuj ją zgodnie z zasadami prowadzenia dokumentacji w twojej organizacji. Ta strona jest dostępna tylko przez krótki czas, w tej przeglądarce: nie jest nigdzie zapisana, by można było do niej wrócić.
copy-back = Wróć do potwierdzenia
fu-add-files = Dodaj zdjęcia lub dokumenty (nieobowiązkowe)
sent-duplicate = Ten formularz został już wysłany, więc nie wysłano go ponownie, a zmiany wprowadzone od tego czasu nie zostały wysłane. Numer referencyjny jest ten sam.
sent-duplicate-new = Aby coś dodać lub poprawić, <a class="govuk-link" href="/forms/{ $form }{ $query }">wypełnij nowy formularz</a> i podaj ten numer referencyjny.
sent-duplicate-new-professional = Aby coś dodać lub poprawić, <a class="govuk-link" href="/forms/{ $form }">wypełnij nowy formularz</a> i podaj ten numer jako poprzedni numer referencyjny.
saved-email-subject = Twój zapisany formularz
saved-email-body =
    Zapisano formularz do dokończenia później.

    Aby kontynuować, otwórz ten link w przeglądarce internetowej. Działa raz, przez { $days ->
        [one] { $days } dzień
       *[other] { $days } dni
    }:
    { $link }

    Link zawiera jedyny klucz do zapisanych odpowiedzi: nie przekazuj tego e-maila dalej. Po
    otwarciu linku odpowiedzi będą tylko w tej przeglądarce.

    Jeśli to nie ty o to prosiłeś(-aś), zignoruj ten e-mail: zapisane odpowiedzi zostaną usunięte.

    Nie odpowiadaj na ten e-mail: odpowiedzi nie są czytane.

date-in-words = { $day } { $month ->
    [1] stycznia
    [2] lutego
    [3] marca
    [4] kwietnia
    [5] maja
    [6] czerwca
    [7] lipca
    [8] sierpnia
    [9] września
    [10] października
    [11] listopada
   *[12] grudnia
} { $year }
date-month-year = { $month ->
    [1] styczeń
    [2] luty
    [3] marzec
    [4] kwiecień
    [5] maj
    [6] czerwiec
    [7] lipiec
    [8] sierpień
    [9] wrzesień
    [10] październik
    [11] listopad
   *[12] grudzień
} { $year }

list-comma = {", "}
