"""Words the synthetic dataset is written with: names of fictional people, fictional
organisations, agenda topics, commitments, plans and indicators.

People are fictional: a first name and a last name drawn apart from two short lists (a
combination may match someone real by chance, as any pair of common names does), e-mails on
`example.org` (reserved, RFC 2606), phones in the 01 99 00 range (reserved for fiction by
ARCEP). Institutions of the State and of local government carry their public names (they are
offices, not people); associations, landlords, operators and companies are invented and say so.
"""

FIRST_NAMES = (
    "Adèle", "Agathe", "Alain", "Alexandre", "Alice", "Amélie", "Anaïs", "André", "Anne",
    "Antoine", "Arnaud", "Aurélie", "Bastien", "Béatrice", "Benoît", "Bernard", "Brigitte",
    "Camille", "Caroline", "Cécile", "Céline", "Charlotte", "Christophe", "Claire", "Claude",
    "Clément", "Corinne", "Damien", "Daniel", "David", "Delphine", "Denis", "Didier", "Dominique",
    "Édouard", "Élodie", "Émilie", "Emmanuel", "Éric", "Estelle", "Étienne", "Fabienne",
    "Fabrice", "Farid", "Fatima", "Florence", "Florian", "Franck", "François", "Frédéric",
    "Gaëlle", "Géraldine", "Gilles", "Guillaume", "Hélène", "Henri", "Hugo", "Inès", "Isabelle",
    "Jacques", "Jean", "Jérôme", "Joëlle", "Julie", "Julien", "Karim", "Karine", "Laetitia",
    "Laurence", "Laurent", "Léa", "Lucie", "Luc", "Malika", "Manon", "Marc", "Marie", "Marion",
    "Martine", "Mathieu", "Mélanie", "Michel", "Mohamed", "Monique", "Nadia", "Nathalie",
    "Nicolas", "Noémie", "Olivier", "Pascal", "Patricia", "Patrick", "Paul", "Philippe",
    "Pierre", "Rachid", "Raphaël", "Romain", "Samia", "Samuel", "Sandrine", "Sébastien",
    "Séverine", "Sophie", "Stéphane", "Sylvie", "Thierry", "Thomas", "Valérie", "Vincent",
    "Virginie", "Xavier", "Yannick", "Yasmina", "Yves", "Zoé",
)  # fmt: skip

LAST_NAMES = (
    "Arnaud", "Aubert", "Barbier", "Baron", "Benali", "Benard", "Berger", "Bernard", "Bertin",
    "Blanc", "Blanchard", "Bonnet", "Boucher", "Bourgeois", "Boyer", "Brun", "Brunet", "Carpentier",
    "Caron", "Chevalier", "Clément", "Colin", "Collet", "Cordier", "Cousin", "Da Silva", "Daniel",
    "David", "Denis", "Deschamps", "Dubois", "Dufour", "Dumas", "Dumont", "Dupont", "Dupuis",
    "Durand", "Fabre", "Faure", "Fleury", "Fontaine", "Fournier", "François", "Gaillard",
    "Garcia", "Garnier", "Gauthier", "Gérard", "Giraud", "Guérin", "Guillaume", "Haddad", "Henry",
    "Hoarau", "Huet", "Jacob", "Joly", "Julien", "Lacroix", "Lambert", "Laurent", "Leclerc",
    "Lefebvre", "Lefèvre", "Legrand", "Lemaire", "Lemoine", "Leroux", "Leroy", "Lopez", "Lucas",
    "Marchand", "Marie", "Martin", "Martinez", "Masson", "Mathieu", "Mercier", "Meunier",
    "Meyer", "Michel", "Moreau", "Morel", "Morin", "Muller", "Nicolas", "Noël", "Perrin",
    "Petit", "Picard", "Pierre", "Renard", "Renaud", "Rey", "Richard", "Rivière", "Robert",
    "Robin", "Roche", "Rousseau", "Roussel", "Roux", "Roy", "Sanchez", "Schmitt", "Simon",
    "Thomas", "Vidal", "Vincent", "Weber",
)  # fmt: skip

# Invented organisations, by category: a pattern completed with a place.
LANDLORD_NAMES = (
    "{place} Habitat Solidaire (bailleur fictif)",
    "Logis {place} (bailleur fictif)",
    "Foyer social {place} (bailleur fictif)",
)
PREVENTION_NAMES = (
    "Prévention spécialisée {place} (association fictive)",
    "Médiation sociale {place} (association fictive)",
    "Éducateurs de rue {place} (association fictive)",
)

# (theme, agenda topic, decision, commitments): what partnership bodies talk about and
# promise (domain guide §1 and §5).
TOPICS = (
    (
        "Tranquillité publique",
        "Tranquillité publique aux abords des établissements scolaires",
        "Renforcer la présence aux heures de sortie des collèges",
        (
            "Organiser des passages aux heures de sortie des collèges",
            "Transmettre le bilan des signalements aux abords des écoles",
        ),
    ),
    (
        "Rodéos motorisés",
        "Rodéos motorisés",
        "Coordonner les opérations police nationale et police municipale",
        (
            "Recenser les lieux de rodéos signalés par les habitants",
            "Planifier une opération conjointe avant l’été",
        ),
    ),
    (
        "Violences intrafamiliales",
        "Violences intrafamiliales",
        "Diffuser le guide d’orientation des victimes aux partenaires",
        (
            "Diffuser le guide d’orientation des victimes",
            "Former les agents d’accueil au repérage des violences",
        ),
    ),
    (
        "Occupation des halls",
        "Occupation des halls d’immeubles",
        "Sécuriser les halls les plus exposés",
        (
            "Installer la vidéoprotection dans deux halls",
            "Transmettre la liste des halls signalés au bailleur",
        ),
    ),
    (
        "Prévention de la récidive",
        "Prévention de la récidive",
        "Développer les travaux d’intérêt général dans la commune",
        (
            "Proposer de nouveaux postes de travail d’intérêt général",
            "Présenter le bilan des mesures de réparation pénale",
        ),
    ),
    (
        "Sécurité dans les transports",
        "Sécurité dans les transports",
        "Organiser des patrouilles mixtes sur le réseau",
        (
            "Organiser des patrouilles mixtes sur le réseau en soirée",
            "Partager les statistiques d’incidents du réseau",
        ),
    ),
    (
        "Stupéfiants",
        "Trafic de stupéfiants",
        "Suivre les points de deal signalés",
        (
            "Faire le point sur les points de deal signalés",
            "Informer les habitants des suites données aux signalements",
        ),
    ),
    (
        "Jeunes exposés",
        "Jeunes exposés à la délinquance",
        "Orienter vers la prévention spécialisée les mineurs repérés",
        (
            "Orienter les mineurs repérés vers la prévention spécialisée",
            "Organiser des chantiers éducatifs pendant les vacances",
        ),
    ),
    (
        "Radicalisation",
        "Prévention de la radicalisation",
        "Accompagner les familles signalées",
        (
            "Désigner un référent pour l’accompagnement des familles",
            "Former les partenaires au repérage des signaux faibles",
        ),
    ),
    (
        "Fraude",
        "Lutte contre la fraude aux prestations",
        "Croiser les signalements de fraude entre partenaires",
        (
            "Transmettre les signalements de fraude au comité",
            "Présenter le bilan des contrôles coordonnés",
        ),
    ),
)
# The topics each kind of body works on, by index in TOPICS.
TOPICS_BY_TYPE = {
    "CLSPD": (0, 1, 2, 3, 4, 5, 6, 7),
    "CISPD": (0, 1, 2, 4, 5, 7),
    "CDPD": (2, 4, 7, 8),
    "CODAF": (9,),
    "CDPR": (8,),
    "GLTD": (1, 3, 6),
    "GT": (0, 2, 3, 6, 7),
}

GLTD_PROBLEMS = (
    "Trafic de stupéfiants et occupation des halls",
    "Rodéos motorisés et nuisances nocturnes",
    "Cambriolages en série",
    "Violences aux abords d’un établissement scolaire",
)
GLTD_PERIMETERS = (
    "le quartier prioritaire",
    "le centre-ville",
    "les abords de la gare",
    "le secteur des grands ensembles",
)
WORKING_GROUPS = (
    "Groupe de travail « violences intrafamiliales »",
    "Groupe de travail « jeunes exposés »",
    "Groupe de travail « tranquillité résidentielle »",
    "Cellule de veille",
    "Groupe de travail « prévention de la récidive »",
)

EVIDENCE = (
    "Compte rendu transmis aux partenaires.",
    "Bilan présenté en séance.",
    "Action réalisée, pièces au dossier de l’instance.",
)
KEPT_OPEN_NOTES = (
    "Point à refaire à la prochaine séance.",
    "En attente du retour du partenaire.",
    "",
)

PLACES = {
    "commune": "Hôtel de ville {de} — salle du conseil",
    "epci": "Siège de l’intercommunalité — {name}",
    "department": "Préfecture {de} — salle des commissions",
    "parquet": "Tribunal judiciaire {de}",
}

# Plans (domain guide §5): objectives on the national axes, fiches-actions, indicators.
OBJECTIVES = (
    ("Prévenir la délinquance des plus jeunes", "youth"),
    ("Protéger les personnes vulnérables et les victimes", "vulnerable"),
    ("Rendre aux habitants la tranquillité des espaces publics", "population"),
    ("Mieux coordonner les partenaires", "territory"),
    ("Lutter contre les trafics et leurs nuisances", "population"),
)
ACTIONS = (
    ("Orienter vers la prévention spécialisée les mineurs repérés", "Mineurs de 11 à 17 ans"),
    ("Diffuser le guide d’orientation des victimes aux partenaires", "Victimes de violences"),
    ("Installer la vidéoprotection dans deux halls", "Locataires des immeubles signalés"),
    ("Organiser des patrouilles mixtes sur le réseau", "Voyageurs en soirée"),
    ("Développer les travaux d’intérêt général", "Personnes condamnées à un TIG"),
    ("Chantiers éducatifs pendant les vacances scolaires", "Jeunes de 16 à 21 ans"),
    ("Marches exploratoires avec les habitants", "Habitants des quartiers prioritaires"),
    ("Permanence d’aide aux victimes", "Victimes de violences"),
    ("Médiation de nuit", "Habitants et commerçants"),
    ("Réunir les bailleurs sociaux chaque trimestre", "Bailleurs sociaux"),
)
MILESTONES = ("Lancement", "Bilan intermédiaire", "Bilan annuel", "Bilan final")
# (name, unit, direction, baseline low, baseline high, SSMSI label or "")
INDICATORS = (
    ("Cambriolages de logement", "faits", "lower", 80, 1500, "Cambriolages de logement"),
    ("Coups et blessures volontaires", "faits", "lower", 60, 1200, ""),
    ("Mineurs suivis par la prévention spécialisée", "jeunes", "higher", 10, 150, ""),
    ("Victimes reçues en permanence", "personnes", "higher", 20, 300, ""),
    ("Signalements d’occupation de halls", "signalements", "lower", 10, 120, ""),
    ("Rodéos signalés à la police municipale", "signalements", "lower", 10, 200, ""),
    ("Postes de TIG offerts", "postes", "higher", 5, 80, ""),
    ("Taux de participation aux réunions", "%", "higher", 40, 70, ""),
)
DIAGNOSTIC = (
    "Diagnostic partagé : {theme1} et {theme2} en tête des préoccupations des partenaires ; "
    "sentiment d’insécurité élevé aux abords des équipements publics le soir ; réponses "
    "existantes : médiation, police municipale, cellule de veille. Attentes des habitants "
    "recueillies lors de réunions publiques."
)
