### Cymraeg: negeseuon dilysu. Drafft: angen ei adolygu gan siaradwr Cymraeg.

error-required = { $field }: rhowch ateb
error-required-choose = { $field }: dewiswch ateb
error-required-multi = { $field }: dewiswch o leiaf un
error-required-group = { $field }: ychwanegwch o leiaf un
error-too-long = { $field }: rhaid iddo fod yn { $max } nod neu lai
error-too-short = { $field }: rhaid iddo fod yn o leiaf { $min } nod
error-invalid-characters-name = { $field }: dim ond llythrennau, bylchau, cysylltnodau, collnodau ac atalnodau llawn
error-invalid-characters-reference = { $field }: dim ond llythrennau, rhifau, bylchau, / a -
error-invalid-format-pis-reference = { $field }: rhaid iddo edrych fel PIS-ABCD-1234
error-invalid-format-email = { $field }: rhowch gyfeiriad e-bost yn y fformat cywir, fel name@example.org
error-invalid-characters-phone = { $field }: dim ond rhifau, bylchau, cromfachau, cysylltnodau a + ar y dechrau
error-invalid-format-phone = { $field }: rhowch rif ffôn yn y DU, fel 01632 960 001 neu 07700 900 982, neu rif rhyngwladol sy’n dechrau gyda +
error-invalid-format-phone-length = { $field }: rhaid iddo fod â rhwng 6 a 15 digid
error-invalid-format-phone-strict = { $field }: rhaid iddo fod â rhwng 8 a 15 digid ar ôl y +
error-invalid-format-postcode = { $field }: rhowch god post go iawn, fel YO1 7HH
error-invalid-format-postcode-partial = { $field }: rhowch god post go iawn, fel YO1 7HH, neu’r rhan gyntaf yn unig, fel YO1
error-invalid-characters-vehicle-registration = { $field }: dim ond llythrennau, rhifau, bylchau a ? ar gyfer nodau na allech eu gweld
error-invalid-format-vehicle-registration = { $field }: rhaid iddo fod rhwng 1 ac 8 llythyren a rhif
error-invalid-format-date = { $field }: rhowch ddyddiad fel diwrnod, mis a blwyddyn, neu fis a blwyddyn, neu flwyddyn yn unig
error-invalid-date-date = { $field }: rhaid iddo fod yn ddyddiad go iawn
error-future-date-date = { $field }: rhaid iddo fod heddiw neu yn y gorffennol
error-invalid-option-choice = { $field }: dewiswch o’r atebion a roddir
error-invalid-option-yes-no = { $field }: dewiswch o’r atebion a roddir
error-invalid-option-multi-choice = { $field }: dewiswch o’r atebion a roddir
error-too-many-items-group = { $field }: rydych wedi ychwanegu mwy nag y mae’r ffurflen yn ei ganiatáu
