# The same in English: "4 January 2027, 18:00" (Django's own is "Jan. 4, 2027, 6 p.m.").
DATETIME_FORMAT = "j F Y, H:i"
