# A meeting's date and hour as French writes them: « 4 janvier 2027 à 18:00 ».
DATETIME_FORMAT = "j F Y à H:i"
