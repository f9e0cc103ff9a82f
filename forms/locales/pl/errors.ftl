### Polski: komunikaty walidacji. Wersja robocza, wymaga sprawdzenia przez rodzimego użytkownika.

error-required = { $field }: wpisz odpowiedź
error-required-choose = { $field }: wybierz odpowiedź
error-required-multi = { $field }: wybierz co najmniej jedną odpowiedź
error-required-group = { $field }: dodaj co najmniej jeden element
error-too-long = { $field }: najwyżej { $max } znaków
error-too-short = { $field }: co najmniej { $min } znaków
error-invalid-characters-name = { $field }: może zawierać tylko litery, spacje, łączniki, apostrofy i kropki
error-invalid-characters-reference = { $field }: może zawierać tylko litery, cyfry, spacje, / i -
error-invalid-format-pis-reference = { $field }: musi wyglądać jak PIS-ABCD-1234
error-invalid-format-email = { $field }: wpisz adres e-mail w poprawnej formie, np. name@example.org
error-invalid-characters-phone = { $field }: może zawierać tylko cyfry, spacje, nawiasy, łączniki i + na początku
error-invalid-format-phone = { $field }: wpisz brytyjski numer telefonu, np. 01632 960 001 lub 07700 900 982, albo numer międzynarodowy zaczynający się od +
error-invalid-format-phone-length = { $field }: musi mieć od 6 do 15 cyfr
error-invalid-format-phone-strict = { $field }: po + musi mieć od 8 do 15 cyfr
error-invalid-format-postcode = { $field }: wpisz prawdziwy kod pocztowy, np. YO1 7HH
error-invalid-format-postcode-partial = { $field }: wpisz prawdziwy kod pocztowy, np. YO1 7HH, albo tylko jego pierwszą część, np. YO1
error-invalid-characters-vehicle-registration = { $field }: może zawierać tylko litery, cyfry, spacje i ? w miejscu znaków, których nie widać
error-invalid-format-vehicle-registration = { $field }: musi mieć od 1 do 8 liter i cyfr
error-invalid-format-date = { $field }: wpisz datę jako dzień, miesiąc i rok, albo miesiąc i rok, albo sam rok
error-invalid-date-date = { $field }: musi to być prawdziwa data
error-future-date-date = { $field }: musi to być dzisiaj lub w przeszłości
error-invalid-option-choice = { $field }: wybierz jedną z podanych odpowiedzi
error-invalid-option-yes-no = { $field }: wybierz jedną z podanych odpowiedzi
error-invalid-option-multi-choice = { $field }: wybierz spośród podanych odpowiedzi
error-too-many-items-group = { $field }: dodano więcej, niż pozwala formularz
