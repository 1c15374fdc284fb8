//! The built-in aspects' words in Spanish, French, German, Italian and Portuguese: a review in
//! one of these languages about "el servicio", "l'attente" or "die Sauberkeit" counts under the
//! same aspect as an English one about the service, the wait or the cleanliness.
//!
//! The aspects keep their English names (they are the keys the rollup, the alerts and the app
//! share); only the words that evoke them are translated. Each language has its own lexicons and
//! is used only for text in that language, so a word that means one thing in German and another
//! in English ("Personal", "Kasse") never tags an English review. Terms are written as the
//! matcher compares them: lower case and without accents (`aspects::words` folds the text the
//! same way), so "atención" and "atencion" are the same word. Same conventions as the English
//! lexicons: a trailing `*` matches any word the term starts, and two words match consecutive
//! words (the matcher knows pairs, not longer phrases).

use super::aspects::Lexicon;

/// The languages besides English that the built-in aspects are found in (ISO 639-1).
pub const LANGUAGES: &[&str] = &["es", "fr", "de", "it", "pt"];

/// The general lexicon and the category's lexicon (`cafe`, `restaurant`, `hotel`, `app`,
/// `retail`; anything else has only the general one) in `language`; empty for a language
/// without lexicons.
pub(super) fn lexicons(language: &str, category: &str) -> Vec<Lexicon> {
    let (general, cafe, restaurant, hotel, app, retail) = match language {
        "es" => (ES, ES_CAFE, ES_RESTAURANT, ES_HOTEL, ES_APP, ES_RETAIL),
        "fr" => (FR, FR_CAFE, FR_RESTAURANT, FR_HOTEL, FR_APP, FR_RETAIL),
        "de" => (DE, DE_CAFE, DE_RESTAURANT, DE_HOTEL, DE_APP, DE_RETAIL),
        "it" => (IT, IT_CAFE, IT_RESTAURANT, IT_HOTEL, IT_APP, IT_RETAIL),
        "pt" => (PT, PT_CAFE, PT_RESTAURANT, PT_HOTEL, PT_APP, PT_RETAIL),
        _ => return Vec::new(),
    };
    let specific = match category {
        "cafe" => Some(cafe),
        "restaurant" => Some(restaurant),
        "hotel" => Some(hotel),
        "app" => Some(app),
        "retail" => Some(retail),
        _ => None,
    };
    std::iter::once(general).chain(specific).collect()
}

// --- Spanish ---------------------------------------------------------------------------------

const ES: Lexicon = &[
    (
        "service",
        &["servicio*", "atencion", "atendi*", "atendier*", "servid*"],
    ),
    (
        "staff",
        &[
            "personal",
            "camarer*",
            "meser*",
            "emplead*",
            "dependient*",
            "encargad*",
            "dueno*",
            "duena*",
            "cajer*",
            "recepcionist*",
            "equipo",
            "amable*",
            "groser*",
            "maleducad*",
            "antipatic*",
        ],
    ),
    (
        "wait time",
        &[
            "esper*",
            "cola",
            "colas",
            "lento",
            "lenta",
            "lentos",
            "lentitud",
            "tardaron",
            "tardo",
            "demora*",
            "minutos",
            "una eternidad",
        ],
    ),
    (
        "price",
        &[
            "precio*",
            "caro",
            "cara",
            "caros",
            "caras",
            "barat*",
            "costos*",
            "cuesta",
            "vale la",
            "calidad-precio",
        ],
    ),
    (
        "cleanliness",
        &[
            "limpi*", "sucio*", "sucia*", "suciedad", "higiene", "bano", "banos", "aseo*", "olor*",
            "mugr*",
        ],
    ),
    (
        "quality",
        &[
            "calidad",
            "fresc*",
            "sabor*",
            "sabros*",
            "delicios*",
            "insipid*",
        ],
    ),
    (
        "atmosphere",
        &[
            "ambiente",
            "musica",
            "ruido*",
            "ruidos*",
            "decoracion",
            "vistas",
            "acogedor*",
            "terraza",
        ],
    ),
    (
        "location",
        &[
            "ubicacion",
            "ubicad*",
            "aparcamiento",
            "aparcar",
            "estacionamiento",
            "barrio",
        ],
    ),
    ("booking", &["reserva*", "cita", "citas"]),
    (
        "delivery",
        &["entrega*", "envio*", "repartidor*", "a domicilio"],
    ),
    (
        "order accuracy",
        &[
            "pedido equivocado",
            "pedido incorrecto",
            "se olvidaron",
            "faltaba*",
        ],
    ),
];

const ES_CAFE: Lexicon = &[
    (
        "coffee",
        &[
            "cafe",
            "cafes",
            "cortado*",
            "capuchino*",
            "cappuccino*",
            "expreso*",
            "espresso*",
            "latte*",
            "infusion*",
        ],
    ),
    (
        "food",
        &[
            "comida",
            "bolleria",
            "pastel*",
            "tarta*",
            "croissant*",
            "cruasan*",
            "bocadillo*",
            "tostada*",
            "desayuno*",
            "almuerzo*",
            "magdalena*",
            "galleta*",
        ],
    ),
    (
        "wifi",
        &["wifi", "wi-fi", "internet", "portatil*", "enchufe*"],
    ),
];

const ES_RESTAURANT: Lexicon = &[
    (
        "food",
        &[
            "comida",
            "plato*",
            "menu",
            "racion*",
            "tapa",
            "tapas",
            "entrante*",
            "postre*",
            "carne",
            "pescado",
            "paella",
            "pizza*",
            "pasta",
            "hamburguesa*",
            "ensalada*",
        ],
    ),
    (
        "drinks",
        &[
            "bebida*", "vino", "vinos", "cerveza*", "coctel*", "copa", "copas", "barra",
        ],
    ),
];

const ES_HOTEL: Lexicon = &[
    (
        "room",
        &[
            "habitacion*",
            "cama",
            "camas",
            "almohada*",
            "ducha*",
            "aire acondicionado",
            "toalla*",
            "balcon",
        ],
    ),
    ("breakfast", &["desayuno*", "buffet"]),
    (
        "check-in",
        &["check-in", "check in", "recepcion", "registro"],
    ),
    ("noise", &["ruido*", "ruidos*", "paredes finas"]),
];

const ES_APP: Lexicon = &[
    (
        "stability",
        &[
            "fallo*",
            "falla*",
            "error*",
            "se cierra",
            "bloque*",
            "cuelga",
            "bug*",
        ],
    ),
    (
        "usability",
        &[
            "interfaz",
            "diseno",
            "confus*",
            "facil de",
            "intuitiv*",
            "navegacion",
        ],
    ),
    (
        "account",
        &["cuenta", "contrasena", "iniciar sesion", "sesion", "login"],
    ),
    ("ads", &["anuncio*", "publicidad", "suscripcion*"]),
    ("performance", &["bateria", "rendimiento", "carga", "tarda"]),
];

const ES_RETAIL: Lexicon = &[
    (
        "product",
        &[
            "producto*",
            "articulo*",
            "stock",
            "existencias",
            "surtido",
            "variedad",
            "talla*",
        ],
    ),
    (
        "returns",
        &["devolucion*", "devolver", "reembolso*", "ticket"],
    ),
    ("checkout", &["caja", "cajas", "pago", "tarjeta"]),
];

// --- French ----------------------------------------------------------------------------------

const FR: Lexicon = &[
    (
        "service",
        &["service", "servi", "servis", "servie", "accueil*"],
    ),
    (
        "staff",
        &[
            "personnel",
            "serveur*",
            "serveuse*",
            "employe*",
            "equipe",
            "patron*",
            "gerant*",
            "caissier*",
            "receptionniste*",
            "barista*",
            "aimable*",
            "desagreable*",
            "impoli*",
        ],
    ),
    (
        "wait time",
        &[
            "attente",
            "attendu",
            "attendre",
            "attendu*",
            "queue",
            "lent",
            "lente",
            "lents",
            "lenteur",
            "minutes",
            "une eternite",
        ],
    ),
    (
        "price",
        &[
            "prix",
            "cher",
            "chere",
            "chers",
            "cheres",
            "tarif*",
            "abordable*",
            "rapport qualite",
            "cout",
            "coute",
            "coutent",
        ],
    ),
    (
        "cleanliness",
        &[
            "proprete",
            "propre",
            "propres",
            "sale",
            "sales",
            "salete",
            "hygiene",
            "toilette*",
            "odeur*",
            "crasseu*",
        ],
    ),
    (
        "quality",
        &[
            "qualite",
            "frais",
            "fraiche*",
            "gout*",
            "savoureu*",
            "delicieu*",
            "fade",
        ],
    ),
    (
        "atmosphere",
        &[
            "ambiance",
            "atmosphere",
            "musique",
            "bruit*",
            "bruyant*",
            "decoration",
            "deco",
            "cadre",
            "vue",
            "chaleureu*",
        ],
    ),
    (
        "location",
        &[
            "emplacement",
            "situe",
            "situee",
            "parking",
            "stationnement",
            "quartier",
        ],
    ),
    ("booking", &["reservation*", "reserve*", "rendez-vous"]),
    ("delivery", &["livraison*", "livreur*", "colis", "expedi*"]),
    (
        "order accuracy",
        &[
            "mauvaise commande",
            "commande fausse",
            "erreur dans",
            "manquait",
            "oublie*",
        ],
    ),
];

const FR_CAFE: Lexicon = &[
    (
        "coffee",
        &[
            "cafe",
            "cafes",
            "expresso*",
            "espresso*",
            "cappuccino*",
            "latte*",
            "the",
            "noisette",
        ],
    ),
    (
        "food",
        &[
            "nourriture",
            "patisserie*",
            "viennoiserie*",
            "croissant*",
            "gateau*",
            "sandwich*",
            "tartine*",
            "petit-dejeuner",
            "petit dejeuner",
            "brunch",
            "dejeuner",
            "cookie*",
            "muffin*",
        ],
    ),
    ("wifi", &["wifi", "wi-fi", "internet", "ordinateur*"]),
];

const FR_RESTAURANT: Lexicon = &[
    (
        "food",
        &[
            "nourriture",
            "plat",
            "plats",
            "repas",
            "menu",
            "portion*",
            "entree*",
            "dessert*",
            "viande",
            "poisson",
            "pizza*",
            "pates",
            "burger*",
            "salade*",
            "frites",
            "cuisine",
        ],
    ),
    (
        "drinks",
        &["boisson*", "vin", "vins", "biere*", "cocktail*", "bar"],
    ),
];

const FR_HOTEL: Lexicon = &[
    (
        "room",
        &[
            "chambre*",
            "lit",
            "lits",
            "literie",
            "oreiller*",
            "douche*",
            "climatisation",
            "clim",
            "serviette*",
            "balcon",
        ],
    ),
    ("breakfast", &["petit-dejeuner", "petit dejeuner", "buffet"]),
    (
        "check-in",
        &["check-in", "check in", "reception", "arrivee"],
    ),
    ("noise", &["bruit*", "bruyant*", "murs fins"]),
];

const FR_APP: Lexicon = &[
    (
        "stability",
        &[
            "plante*", "crash*", "bug*", "bogue*", "beug*", "erreur*", "se ferme", "bloque*",
        ],
    ),
    (
        "usability",
        &[
            "interface",
            "design",
            "ergonomi*",
            "intuiti*",
            "confus*",
            "navigation",
        ],
    ),
    (
        "account",
        &["compte", "mot de", "identifiant*", "connexion", "connecter"],
    ),
    ("ads", &["pub", "pubs", "publicite*", "abonnement*"]),
    (
        "performance",
        &["batterie", "lenteur", "chargement", "performance*", "rame"],
    ),
];

const FR_RETAIL: Lexicon = &[
    (
        "product",
        &["produit*", "article*", "stock", "choix", "gamme", "taille*"],
    ),
    ("returns", &["retour*", "rembourse*", "echange*", "ticket"]),
    ("checkout", &["caisse*", "paiement", "carte"]),
];

// --- German ----------------------------------------------------------------------------------

const DE: Lexicon = &[
    (
        "service",
        &[
            "service",
            "bedienung",
            "bedient",
            "kundenservice",
            "kundendienst",
        ],
    ),
    (
        "staff",
        &[
            "personal",
            "mitarbeiter*",
            "kellner*",
            "angestellte*",
            "chef",
            "chefin",
            "besitzer*",
            "inhaber*",
            "kassierer*",
            "team",
            "freundlich*",
            "unfreundlich*",
            "unhoflich*",
        ],
    ),
    (
        "wait time",
        &[
            "warte*", "gewartet", "schlange", "langsam*", "ewig*", "minuten",
        ],
    ),
    (
        "price",
        &[
            "preis*",
            "teuer*",
            "billig*",
            "gunstig*",
            "uberteuert",
            "kosten",
            "kostet",
            "preiswert*",
        ],
    ),
    (
        "cleanliness",
        &[
            "sauber*",
            "schmutzig*",
            "dreckig*",
            "hygiene",
            "toilette*",
            "klo",
            "wc",
            "geruch",
            "stinkt",
            "verschmutzt",
        ],
    ),
    (
        "quality",
        &[
            "qualitat",
            "frisch*",
            "geschmack*",
            "lecker*",
            "kostlich*",
            "fade",
        ],
    ),
    (
        "atmosphere",
        &[
            "atmosphare",
            "ambiente",
            "musik",
            "laut",
            "lauter",
            "larm",
            "gemutlich*",
            "einrichtung",
            "aussicht",
        ],
    ),
    (
        "location",
        &[
            "lage",
            "gelegen",
            "parkplatz*",
            "parken",
            "gegend",
            "viertel",
        ],
    ),
    (
        "booking",
        &[
            "reservierung*",
            "reserviert*",
            "buchung*",
            "gebucht",
            "termin*",
        ],
    ),
    (
        "delivery",
        &[
            "lieferung*",
            "geliefert",
            "versand*",
            "zusteller*",
            "paket*",
        ],
    ),
    (
        "order accuracy",
        &[
            "falsche bestellung",
            "bestellung falsch",
            "vergessen",
            "fehlte*",
        ],
    ),
];

const DE_CAFE: Lexicon = &[
    (
        "coffee",
        &[
            "kaffee*",
            "cappuccino*",
            "espresso*",
            "latte*",
            "milchkaffee",
            "tee",
        ],
    ),
    (
        "food",
        &[
            "essen",
            "kuchen*",
            "geback",
            "croissant*",
            "brotchen",
            "torte*",
            "fruhstuck*",
            "brunch",
            "mittagessen",
        ],
    ),
    ("wifi", &["wlan", "wifi", "internet", "laptop*"]),
];

const DE_RESTAURANT: Lexicon = &[
    (
        "food",
        &[
            "essen",
            "gericht*",
            "speise*",
            "mahlzeit*",
            "portion*",
            "vorspeise*",
            "nachtisch",
            "dessert*",
            "fleisch",
            "fisch",
            "steak*",
            "pizza*",
            "nudeln",
            "pasta",
            "burger*",
            "salat*",
            "pommes",
            "kuche",
        ],
    ),
    (
        "drinks",
        &["getrank*", "wein*", "bier*", "cocktail*", "bar"],
    ),
];

const DE_HOTEL: Lexicon = &[
    (
        "room",
        &[
            "zimmer*",
            "bett",
            "betten",
            "kissen",
            "dusche*",
            "klimaanlage",
            "handtuch*",
            "handtucher",
            "balkon",
        ],
    ),
    ("breakfast", &["fruhstuck*", "buffet"]),
    (
        "check-in",
        &["check-in", "check in", "einchecken", "rezeption", "empfang"],
    ),
    ("noise", &["larm", "laut", "hellhorig*", "dunne wande"]),
];

const DE_APP: Lexicon = &[
    (
        "stability",
        &[
            "absturz*",
            "sturzt",
            "abgesturzt",
            "fehler*",
            "bug*",
            "hangt",
            "friert",
        ],
    ),
    (
        "usability",
        &[
            "oberflache",
            "design",
            "ubersichtlich*",
            "unubersichtlich*",
            "intuitiv*",
            "verwirrend",
            "navigation",
        ],
    ),
    (
        "account",
        &["konto", "anmeld*", "einlogg*", "login", "passwort"],
    ),
    ("ads", &["werbung*", "abo", "abonnement*"]),
    (
        "performance",
        &["akku", "ruckel*", "ladezeit*", "performance", "leistung"],
    ),
];

const DE_RETAIL: Lexicon = &[
    (
        "product",
        &[
            "produkt*",
            "artikel",
            "ware",
            "waren",
            "sortiment",
            "auswahl",
        ],
    ),
    (
        "returns",
        &[
            "ruckgabe",
            "umtausch*",
            "erstattung",
            "ruckerstattung",
            "zuruckgeben",
            "kassenbon",
        ],
    ),
    ("checkout", &["kasse*", "bezahl*", "karte", "karten"]),
];

// --- Italian ---------------------------------------------------------------------------------

const IT: Lexicon = &[
    (
        "service",
        &["servizio", "servito", "serviti", "servita", "accoglienza"],
    ),
    (
        "staff",
        &[
            "personale",
            "camerier*",
            "dipendent*",
            "proprietari*",
            "gestor*",
            "titolar*",
            "cassier*",
            "barista*",
            "staff",
            "gentil*",
            "scortes*",
            "maleducat*",
            "cordial*",
        ],
    ),
    (
        "wait time",
        &[
            "attesa", "aspett*", "coda", "fila", "lento", "lenta", "lenti", "lentezza", "minuti",
            "eternita",
        ],
    ),
    (
        "price",
        &[
            "prezz*",
            "caro",
            "cara",
            "cari",
            "care",
            "costos*",
            "economic*",
            "conveniente",
            "rapporto qualita",
            "costo",
            "costano",
        ],
    ),
    (
        "cleanliness",
        &[
            "pulit*", "pulizia", "sporc*", "igiene", "bagno", "bagni", "odore", "puzza",
        ],
    ),
    (
        "quality",
        &[
            "qualita",
            "fresc*",
            "sapor*",
            "gusto*",
            "buonissim*",
            "delizios*",
            "insipid*",
        ],
    ),
    (
        "atmosphere",
        &[
            "atmosfera",
            "ambiente",
            "musica",
            "rumor*",
            "chiass*",
            "arredament*",
            "vista",
            "accogliente",
        ],
    ),
    (
        "location",
        &["posizione", "situat*", "parcheggi*", "quartiere"],
    ),
    (
        "booking",
        &["prenotazion*", "prenotat*", "prenotare", "appuntament*"],
    ),
    (
        "delivery",
        &["consegn*", "spedizion*", "corriere", "fattorino"],
    ),
    (
        "order accuracy",
        &[
            "ordine sbagliato",
            "ordinazione sbagliata",
            "dimenticat*",
            "mancava*",
        ],
    ),
];

const IT_CAFE: Lexicon = &[
    (
        "coffee",
        &[
            "caffe",
            "cappuccin*",
            "espresso*",
            "latte",
            "macchiat*",
            "ginseng",
            "tazza",
        ],
    ),
    (
        "food",
        &[
            "cibo",
            "cornett*",
            "brioche*",
            "pasticcin*",
            "dolci",
            "dolce",
            "torta*",
            "panin*",
            "tramezzin*",
            "colazione",
            "pranzo",
            "brunch",
        ],
    ),
    (
        "wifi",
        &["wifi", "wi-fi", "internet", "portatil*", "computer"],
    ),
];

const IT_RESTAURANT: Lexicon = &[
    (
        "food",
        &[
            "cibo",
            "piatt*",
            "pasto",
            "menu",
            "porzion*",
            "antipast*",
            "dessert",
            "dolci",
            "carne",
            "pesce",
            "pizza*",
            "pasta",
            "primi",
            "secondi",
            "insalat*",
            "cucina",
        ],
    ),
    (
        "drinks",
        &["bevand*", "vino", "vini", "birra*", "cocktail*", "bar"],
    ),
];

const IT_HOTEL: Lexicon = &[
    (
        "room",
        &[
            "camera",
            "camere",
            "stanza*",
            "letto",
            "letti",
            "cuscin*",
            "doccia",
            "aria condizionata",
            "asciugaman*",
            "balcone",
        ],
    ),
    ("breakfast", &["colazione", "buffet"]),
    (
        "check-in",
        &["check-in", "check in", "reception", "accettazione"],
    ),
    ("noise", &["rumor*", "pareti sottili"]),
];

const IT_APP: Lexicon = &[
    (
        "stability",
        &[
            "crash*",
            "bug*",
            "si blocca",
            "blocc*",
            "errore",
            "errori",
            "si chiude",
        ],
    ),
    (
        "usability",
        &[
            "interfaccia",
            "design",
            "intuitiv*",
            "confus*",
            "navigazione",
            "facile da",
        ],
    ),
    ("account", &["account", "accesso", "login", "password"]),
    ("ads", &["pubblicita", "annunci", "abbonament*"]),
    ("performance", &["batteria", "prestazion*", "caricamento"]),
];

const IT_RETAIL: Lexicon = &[
    (
        "product",
        &["prodott*", "articol*", "assortimento", "scelta", "taglia*"],
    ),
    (
        "returns",
        &["reso", "resi", "rimbors*", "cambio", "scontrino"],
    ),
    ("checkout", &["cassa", "pagamento", "carta"]),
];

// --- Portuguese ------------------------------------------------------------------------------

const PT: Lexicon = &[
    (
        "service",
        &["servico", "atendimento", "atendid*", "atender*", "servid*"],
    ),
    (
        "staff",
        &[
            "funcionari*",
            "empregad*",
            "garcom",
            "garcons",
            "garconete*",
            "dono",
            "dona",
            "gerente*",
            "recepcionista*",
            "equipe",
            "equipa",
            "simpatic*",
            "educad*",
            "grosseir*",
            "antipatic*",
            "atencios*",
        ],
    ),
    (
        "wait time",
        &[
            "esper*",
            "fila",
            "demor*",
            "lento",
            "lenta",
            "lentos",
            "minutos",
            "uma eternidade",
        ],
    ),
    (
        "price",
        &[
            "preco*", "caro", "cara", "caros", "caras", "barat*", "custo*", "custa", "vale a",
            "em conta",
        ],
    ),
    (
        "cleanliness",
        &["limp*", "suj*", "higiene", "banheiro*", "cheiro*", "fedor"],
    ),
    (
        "quality",
        &[
            "qualidade",
            "fresc*",
            "sabor*",
            "sabros*",
            "delicios*",
            "gostos*",
            "insoss*",
        ],
    ),
    (
        "atmosphere",
        &[
            "ambiente",
            "musica",
            "barulh*",
            "decoracao",
            "vista",
            "aconchegante",
            "acolhedor*",
        ],
    ),
    (
        "location",
        &[
            "localizacao",
            "localizad*",
            "estacionamento",
            "estacionar",
            "bairro",
        ],
    ),
    (
        "booking",
        &["reserva*", "marcacao", "agendamento*", "agendad*"],
    ),
    (
        "delivery",
        &[
            "entrega*",
            "entregue",
            "envio*",
            "entregador*",
            "estafeta*",
            "frete",
        ],
    ),
    (
        "order accuracy",
        &["pedido errado", "esqueceram", "faltou", "faltava*"],
    ),
];

const PT_CAFE: Lexicon = &[
    (
        "coffee",
        &[
            "cafe",
            "cafes",
            "cafezinho",
            "expresso*",
            "espresso*",
            "capuccino*",
            "cappuccino*",
            "galao",
            "cha",
        ],
    ),
    (
        "food",
        &[
            "comida",
            "pao",
            "paes",
            "bolo",
            "bolos",
            "pastel",
            "pasteis",
            "salgad*",
            "croissant*",
            "sanduiche*",
            "tosta*",
            "torrada*",
            "pequeno-almoco",
            "pequeno almoco",
            "almoco",
            "lanche*",
        ],
    ),
    (
        "wifi",
        &["wifi", "wi-fi", "internet", "portatil", "notebook"],
    ),
];

const PT_RESTAURANT: Lexicon = &[
    (
        "food",
        &[
            "comida",
            "prato*",
            "refeicao",
            "refeicoes",
            "menu",
            "cardapio",
            "porcao",
            "porcoes",
            "entrada*",
            "sobremesa*",
            "carne",
            "peixe",
            "pizza*",
            "massa",
            "hamburguer*",
            "salada*",
            "cozinha",
        ],
    ),
    (
        "drinks",
        &[
            "bebida*",
            "vinho*",
            "cerveja*",
            "chope",
            "cocktail*",
            "coquetel*",
            "bar",
        ],
    ),
];

const PT_HOTEL: Lexicon = &[
    (
        "room",
        &[
            "quarto*",
            "cama",
            "camas",
            "travesseiro*",
            "almofada*",
            "chuveiro*",
            "duche",
            "ar condicionado",
            "toalha*",
            "varanda",
        ],
    ),
    ("breakfast", &["pequeno-almoco", "pequeno almoco", "buffet"]),
    ("check-in", &["check-in", "check in", "recepcao", "rececao"]),
    ("noise", &["barulh*", "ruido*", "paredes finas"]),
];

const PT_APP: Lexicon = &[
    (
        "stability",
        &[
            "trava*",
            "travou",
            "fecha sozinho",
            "erro",
            "erros",
            "bug*",
            "crash*",
        ],
    ),
    (
        "usability",
        &[
            "interface",
            "design",
            "intuitiv*",
            "confus*",
            "navegacao",
            "facil de",
        ],
    ),
    ("account", &["conta", "senha", "login"]),
    (
        "ads",
        &["anuncio*", "propaganda*", "publicidade", "assinatura*"],
    ),
    (
        "performance",
        &["bateria", "lentidao", "carregamento", "desempenho"],
    ),
];

const PT_RETAIL: Lexicon = &[
    (
        "product",
        &[
            "produto*",
            "artigo*",
            "estoque",
            "stock",
            "variedade",
            "tamanho*",
        ],
    ),
    (
        "returns",
        &[
            "devolucao",
            "devolver",
            "reembolso*",
            "troca*",
            "recibo",
            "nota fiscal",
        ],
    ),
    ("checkout", &["caixa", "pagamento", "cartao"]),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The matcher compares folded words (lower case, no accents): a term written otherwise
    /// would never match.
    #[test]
    fn every_term_is_written_lower_case_without_accents() {
        for lang in LANGUAGES {
            for category in ["general", "cafe", "restaurant", "hotel", "app", "retail"] {
                for lex in lexicons(lang, category) {
                    for (aspect, terms) in lex.iter() {
                        for t in terms.iter() {
                            assert!(
                                t.bytes()
                                    .all(|b| b.is_ascii_lowercase() || b"*- ".contains(&b)),
                                "{lang} {aspect}: {t:?}"
                            );
                            assert!(t.split(' ').count() <= 2, "{lang} {aspect}: {t:?}");
                        }
                    }
                }
            }
        }
    }

    /// The aspects keep the English lexicons' names, which the rollup and the app share.
    #[test]
    fn every_aspect_is_one_the_english_lexicons_name() {
        for lang in LANGUAGES {
            for category in ["cafe", "restaurant", "hotel", "app", "retail"] {
                let english = super::super::aspects::known_aspects(Some(category));
                for lex in lexicons(lang, category) {
                    for (aspect, _) in lex.iter() {
                        assert!(english.contains(aspect), "{lang} {category}: {aspect}");
                    }
                }
            }
        }
    }
}
