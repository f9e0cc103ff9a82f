### Polski: komunikaty stron błędów i powiadomień. Wersja robocza.

msg-not-found = Nie znaleziono strony
msg-check-address = Jeśli adres został wpisany ręcznie, sprawdź, czy jest poprawny.
msg-start-again = Możesz zacząć od nowa od strony startowej.
msg-problem-service = Przepraszamy, wystąpił problem z usługą
msg-problem-this-service = Przepraszamy, wystąpił problem z tą usługą
msg-not-kept = Nie udało się zachować twoich odpowiedzi. Spróbuj ponownie za kilka minut.
msg-danger-999-101 = Jeśli ktoś jest teraz w niebezpieczeństwie, zadzwoń pod 999. W innych sprawach możesz dzwonić pod 101.
msg-danger-999 = Jeśli ktoś jest teraz w niebezpieczeństwie, zadzwoń pod 999.
msg-link-used = Mógł zostać już użyty albo jest zbyt stary. Każdy link działa tylko raz.
msg-link-unusable = Tego linku nie można użyć
msg-wait-minute = Nic jeszcze nie zostało wysłane. Odczekaj minutę, wróć i wyślij formularz ponownie: odpowiedzi są nadal na poprzedniej stronie.
msg-check-connection = Nic nie zostało wysłane. Sprawdź połączenie, wróć i wyślij formularz ponownie.
msg-few-minutes = Nic nie zostało wysłane. Wróć i wyślij formularz ponownie za kilka minut: odpowiedzi są zachowane.
msg-go-back-send = Nic nie zostało wysłane. Wróć i wyślij formularz ponownie.
msg-go-back-try = Nic nie zostało wysłane. Wróć i spróbuj ponownie.
msg-shorten = Nic nie zostało wysłane. Wróć, skróć najdłuższe odpowiedzi lub wyślij mniej albo mniejsze pliki i wyślij formularz ponownie.
msg-open-follow-up = Nic nie zostało wysłane. Otwórz ponownie stronę kontynuacji w tej witrynie.
msg-open-form = Nic nie zostało wysłane. Otwórz formularz ponownie w tej witrynie i wypełnij go tam.
msg-please-wait = Odczekaj minutę i spróbuj ponownie. Nic z tego, co wpisano, nie zostało jeszcze wysłane: wróć, aby zachować odpowiedzi.
msg-send-from-follow-up = Wyślij to ze strony kontynuacji w tej witrynie.
msg-send-from-form = Wyślij formularz z jego strony w tej witrynie.
msg-not-saved = Przepraszamy, nie udało się zapisać zgłoszenia
msg-busy-files = Usługa jest zajęta odbieraniem plików
msg-form-unchecked = Nie udało się sprawdzić formularza
msg-form-unread = Nie udało się odczytać formularza
msg-page-unchecked = Nie udało się sprawdzić tej strony
msg-page-unread = Nie udało się odczytać tej strony
msg-too-many = Zbyt wiele żądań
msg-try-later = Spróbuj ponownie za kilka minut. Nic z tego, co napisano, nie zostało wysłane: wróć, aby to zachować.
msg-too-long = Odpowiedzi są zbyt długie, aby je wysłać
msg-did-not-arrive = Odpowiedzi nie dotarły
msg-too-slow = Odpowiedzi docierały zbyt długo
msg-page-open-long = Ta strona była otwarta bardzo długo. Odpowiedzi nie zostały jeszcze wysłane: sprawdź je i wyślij formularz ponownie.
msg-files-not-kept = Wybrane pliki nie zostały zachowane. Wybierz je ponownie na stronie sprawdzania odpowiedzi, tuż przed wysłaniem zgłoszenia.
msg-fu-open-long = Ta strona była otwarta bardzo długo. Wpisz kod ponownie.
msg-fu-no-match = Żadne zgłoszenie nie pasuje do tego kodu. Sprawdź, czy wpisano go dokładnie tak, jak był pokazany
msg-fu-enter = Wpisz, co chcesz dodać lub przekazać policji
msg-danger-unanswered = Wybierz „Tak”, jeśli ktoś jest teraz w niebezpieczeństwie lub coś wydarzy się w ciągu 24 godzin

noticed-hurt = Napisano, że ktoś może zostać poważnie ranny lub zabity.
noticed-threatened-harm = Napisano, że ktoś został zagrożony poważną krzywdą.
noticed-now = Napisano, że coś może dziać się w tej chwili.
noticed-24h = Napisano, że coś może się wydarzyć w ciągu najbliższych 24 godzin.
noticed-missing = Napisano, że dziecko zaginęło i może być z kimś niebezpiecznym.
noticed-weapon = Napisano o nożu, broni palnej lub innej broni.
noticed-held = Napisano, że ktoś jest gdzieś przetrzymywany i nie może wyjść.
noticed-medical = Napisano, że ktoś może potrzebować pilnej pomocy medycznej.
noticed-retaliation = Napisano, że ktoś został zastraszony z powodu tego, co powiedział.
noticed-online = Napisano, że dziecko jest krzywdzone lub zastraszane w internecie.
noticed-contact = Napisano, że kontakt dorosłego z dzieckiem się nasila.
noticed-evidence = Napisano, że dowody mogą wkrótce zostać utracone.

## Dodane w tej rundzie (wersja robocza zespołu, do sprawdzenia przez rodzimego użytkownika)
msg-fu-enter-code = Wpisz swój kod kontynuacji
msg-fu-code-20 = Kod kontynuacji składa się z 20 liter i cyfr. Sprawdź, czy wpisano go tak, jak został pokazany
msg-fu-code-characters = Kod kontynuacji zawiera tylko litery i cyfry. Sprawdź, czy wpisano go tak, jak został pokazany
msg-fu-code-words = Kod kontynuacji to osiem słów z naszej listy słów. Sprawdź, czy wpisano go tak, jak został pokazany
msg-fu-too-long = To, co dodajesz, może mieć najwyżej { $max } znaków
msg-fu-unopened = Nie udało się otworzyć tej wiadomości.
msg-fu-files-again = { $problem }. Wybierz pliki ponownie
msg-fu-file-unread = Nie udało się odczytać pliku. Wybierz go ponownie albo wyślij to, co napisano, bez niego
msg-status-received = Otrzymano
msg-status-being-looked-at = W trakcie sprawdzania
msg-status-passed-to-team = Przekazano właściwemu zespołowi
msg-status-closed = Zamknięto
msg-files-too-many = Możesz dodać najwyżej { $max ->
    [one] { $max } plik
    [few] { $max } pliki
   *[other] { $max } plików
}
msg-file-empty = Plik { $n } jest pusty
msg-file-too-large = Plik { $n } musi mieć mniej niż { $size }
msg-files-too-large = Wszystkie pliki razem muszą mieć mniej niż { $size }
msg-file-not-accepted-pdf = Plik { $n } musi być w formacie JPG, PNG, WebP lub PDF
msg-file-not-accepted = Plik { $n } musi być obrazem JPG, PNG lub WebP
msg-file-damaged = Nie udało się otworzyć pliku { $n }: może być uszkodzony
msg-file-too-many-pixels = Plik { $n } musi mieć mniej niż { $max } megapikseli
msg-file-unread = Nie udało się odczytać pliku. Wybierz go ponownie albo wyślij zgłoszenie bez niego
msg-save-needs-email = Aby zapisać odpowiedzi i wrócić później, najpierw wpisz tutaj swój służbowy adres e-mail: tam zostanie wysłany link do zapisanego formularza. Potem ponownie wybierz „Zapisz i wróć później”.
msg-save-not-sent = Nie udało się zapisać odpowiedzi na później, bo nie udało się wysłać e-maila z linkiem. Odpowiedzi nadal tu są: spróbuj ponownie za kilka minut albo kontynuuj teraz.
