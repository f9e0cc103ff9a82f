### Română: mesaje de validare. Ciornă: trebuie verificată de un vorbitor nativ.

error-required = { $field }: introduceți un răspuns
error-required-choose = { $field }: selectați un răspuns
error-required-multi = { $field }: selectați cel puțin unul
error-required-group = { $field }: adăugați cel puțin unul
error-too-long = { $field }: trebuie să aibă cel mult { $max } de caractere
error-too-short = { $field }: trebuie să aibă cel puțin { $min } caractere
error-invalid-characters-name = { $field }: poate conține doar litere, spații, cratime, apostrofuri și puncte
error-invalid-characters-reference = { $field }: poate conține doar litere, cifre, spații, / și -
error-invalid-format-pis-reference = { $field }: trebuie să arate ca PIS-ABCD-1234
error-invalid-format-email = { $field }: introduceți o adresă de e-mail în formatul corect, de exemplu name@example.org
error-invalid-characters-phone = { $field }: poate conține doar cifre, spații, paranteze, cratime și + la început
error-invalid-format-phone = { $field }: introduceți un număr de telefon din Regatul Unit, de exemplu 01632 960 001 sau 07700 900 982, ori un număr internațional care începe cu +
error-invalid-format-phone-length = { $field }: trebuie să aibă între 6 și 15 cifre
error-invalid-format-phone-strict = { $field }: trebuie să aibă între 8 și 15 cifre după +
error-invalid-format-postcode = { $field }: introduceți un cod poștal real, de exemplu YO1 7HH
error-invalid-format-postcode-partial = { $field }: introduceți un cod poștal real, de exemplu YO1 7HH, sau doar prima parte, de exemplu YO1
error-invalid-characters-vehicle-registration = { $field }: poate conține doar litere, cifre, spații și ? pentru caracterele pe care nu le-ați văzut
error-invalid-format-vehicle-registration = { $field }: trebuie să aibă între 1 și 8 litere și cifre
error-invalid-format-date = { $field }: introduceți data ca zi, lună și an, sau lună și an, sau doar anul
error-invalid-date-date = { $field }: trebuie să fie o dată reală
error-future-date-date = { $field }: trebuie să fie astăzi sau în trecut
error-invalid-option-choice = { $field }: selectați dintre opțiunile date
error-invalid-option-yes-no = { $field }: selectați dintre opțiunile date
error-invalid-option-multi-choice = { $field }: selectați dintre opțiunile date
error-too-many-items-group = { $field }: ați adăugat mai mult decât permite formularul
