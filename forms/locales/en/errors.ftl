### Validation messages, by the rule broken and the kind of question. English pages show the
### message the validator wrote (the same words); other languages make it again from these,
### with the question's label in that language as { $field }.

error-required = { $field }: enter an answer
error-required-choose = { $field }: select an answer
error-required-multi = { $field }: select at least one
error-required-group = { $field }: add at least one
error-too-long = { $field }: must be { $max } characters or fewer
error-too-short = { $field }: must be at least { $min } characters
error-invalid-characters-name = { $field }: can only include letters, spaces, hyphens, apostrophes and full stops
error-invalid-characters-reference = { $field }: can only include letters, numbers, spaces, / and -
error-invalid-format-pis-reference = { $field }: must look like PIS-ABCD-1234
error-invalid-format-email = { $field }: enter an email address in the correct format, like name@example.org
error-invalid-characters-phone = { $field }: can only include numbers, spaces, brackets, hyphens and + at the start
error-invalid-format-phone = { $field }: enter a UK phone number, like 01632 960 001 or 07700 900 982, or an international number starting with +
error-invalid-format-phone-length = { $field }: must have between 6 and 15 digits
error-invalid-format-phone-strict = { $field }: must have between 8 and 15 digits after the +
error-invalid-format-postcode = { $field }: enter a real postcode, like YO1 7HH
error-invalid-format-postcode-partial = { $field }: enter a real postcode, like YO1 7HH, or the first part only, like YO1
error-invalid-characters-vehicle-registration = { $field }: can only include letters, numbers, spaces and ? for characters you could not see
error-invalid-format-vehicle-registration = { $field }: must be between 1 and 8 letters and numbers
error-invalid-format-date = { $field }: enter a date as day, month and year, or month and year, or year only
error-invalid-date-date = { $field }: must be a real date
error-future-date-date = { $field }: must be today or in the past
error-invalid-option-choice = { $field }: select from the options given
error-invalid-option-yes-no = { $field }: select from the options given
error-invalid-option-multi-choice = { $field }: select from the options given
error-too-many-items-group = { $field }: you can add up to the most this form allows
