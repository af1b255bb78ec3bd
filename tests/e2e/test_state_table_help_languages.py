"""Issue 14 rows of the state table through the HTTP API: HELP in every state, each
language's opt-in, opt-out and help words, and the settings that drive them.

The texts are written out by hand (employee "Ada Lovelace", company "Northwind Bank"), not
rendered through the application's templates.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.support import (
    CONTACT,
    DISCLAIMER,
    MT_CONFIRMATION,
    MT_OPTOUT_CONFIRMATION,
    MT_REQUEST,
    phones,
    state,
)
from tests.helpers import Api, Tenant

HELP = "[Auto Message] Northwind Bank: for help, contact +15550001001. To opt out, reply STOP."
HELP_WITH_SUPPORT = (
    "[Auto Message] Northwind Bank: for help, contact 1-800-555-0100 or help@northwind.example. "
    "To opt out, reply STOP."
)
ES_HELP = (
    "[Mensaje automático] Northwind Bank: para obtener ayuda, comuníquese con +15550001001. "
    "Para darse de baja, responda BAJA."
)
ES_REQUEST = (
    "[Mensaje automático] Está intentando comunicarse con Ada Lovelace. Según la política de la "
    "empresa, debe dar su consentimiento para que su mensaje sea entregado. Para aceptar, "
    "responda SI. Para darse de baja, responda BAJA."
)
ES_REQUESTED_NOTICE = (
    "[Mensaje automático] Un contacto intentó enviarle un mensaje. Según la política de la "
    "empresa, se le envió una solicitud de consentimiento. Una vez confirmada, podrá enviar y "
    "recibir mensajes."
)
ES_CONFIRMATION = (
    "[Mensaje automático] Consentimiento confirmado. Para darse de baja en cualquier momento, "
    "responda BAJA."
)
ES_OPTOUT_CONFIRMATION = (
    "[Mensaje automático] Baja confirmada. Si cambia de opinión, responda con un nuevo mensaje."
)
FR_CONFIRMATION = (
    "[Message automatique] Consentement confirmé. Pour vous désabonner à tout moment, "
    "répondez ARRET."
)
FR_OPTOUT_CONFIRMATION = (
    "[Message automatique] Désabonnement confirmé. Si vous changez d'avis, répondez par un "
    "nouveau message."
)
FR_HELP = (
    "[Message automatique] Northwind Bank : pour obtenir de l'aide, contactez +15550001001. "
    "Pour vous désabonner, répondez ARRET."
)
PT_CONFIRMATION = (
    "[Mensagem automática] Consentimento confirmado. Para cancelar a qualquer momento, "
    "responda PARAR."
)
PT_OPTOUT_CONFIRMATION = (
    "[Mensagem automática] Cancelamento confirmado. Se mudar de ideia, responda com uma nova "
    "mensagem."
)
PT_HELP = (
    "[Mensagem automática] Northwind Bank: para obter ajuda, fale com +15550001001. "
    "Para cancelar, responda PARAR."
)
MT_ACCEPTED_NOTICE = (
    "[Auto Message] Your Contact has opted in. You may continue to send/receive messages."
)
MT_OPTOUT_NOTICE = (
    "[Auto Message] Your contact has opted out. No further messages can be sent to this "
    "contact until they have provided their consent again."
)
ALL_LANGUAGES = ["en", "es", "fr", "pt"]


def _tenant(api: Api, mode: str = "consent", **settings: Any) -> Tenant:
    tenant = api.tenant(mode=mode)
    if settings:
        api.settings(tenant, **settings)
    return tenant


def _into(api: Api, tenant: Tenant, wanted: str) -> None:
    """Bring the conversation into the wanted state by the contact's own messages."""
    if wanted == "none":
        return
    api.inbound(tenant, CONTACT, "Hi Ada")
    if wanted == "opted_in":
        api.inbound(tenant, CONTACT, "YES")
    elif wanted == "opted_out":
        api.inbound(tenant, CONTACT, "STOP")
    elif wanted == "disclaimer_sent":
        assert state(api, tenant) == "disclaimer_sent"
    api.deliver()


# --- HELP -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "wanted"),
    [
        ("consent", "none"),
        ("consent", "pending"),
        ("consent", "opted_in"),
        ("consent", "opted_out"),
        ("disclaimer", "none"),
        ("disclaimer", "disclaimer_sent"),
        ("disclaimer", "opted_out"),
    ],
)
def test_help_is_answered_in_every_state_and_changes_no_consent(
    api: Api, mode: str, wanted: str
) -> None:
    """Issue 14 row: any state | contact sends HELP → `help` → contact, consumed, no change."""
    tenant = _tenant(api, mode)
    _into(api, tenant, wanted)
    contact_before, employee_before = phones(api, tenant)
    before = api.conversation(tenant, CONTACT)["consent"]

    answer = api.inbound(tenant, CONTACT, " help! ")

    assert answer["status"] == "keyword"
    assert answer["consent"] == {k: v for k, v in before.items() if k != "blocked_by"}
    contact_phone, employee_phone = phones(api, tenant)
    assert contact_phone == [*contact_before, HELP]
    assert employee_phone == employee_before
    messages = api.conversation(tenant, CONTACT)["messages"]
    assert [(m["body"], m["status"]) for m in messages[-2:]] == [
        (" help! ", "keyword"),
        (HELP, "delivered"),
    ]
    assert messages[-1]["template"] == "help"


def test_info_answers_with_the_support_contact_and_keeps_held_messages(api: Api) -> None:
    """HELP's synonym INFO; `<Support Contact>` from the setting; held messages stay held."""
    tenant = _tenant(api, support_contact="1-800-555-0100 or help@northwind.example")
    api.outbound(tenant, CONTACT, "Your card is ready")

    answer = api.inbound(tenant, CONTACT, "Info")

    assert (answer["status"], answer["consent"]["state"]) == ("keyword", "pending")
    contact_phone, _ = phones(api, tenant)
    assert contact_phone[-1] == HELP_WITH_SUPPORT
    statuses = [m["status"] for m in api.conversation(tenant, CONTACT)["messages"]]
    assert statuses[0] == "held"


def test_help_passes_through_when_sms_optin_is_off(api: Api) -> None:
    """§3.3: nothing is generated while SMS Opt-in is off; HELP is ordinary text."""
    tenant = api.tenant(enabled=False)

    answer = api.inbound(tenant, CONTACT, "HELP")

    assert answer["status"] == "delivered"
    contact_phone, employee_phone = phones(api, tenant)
    assert (contact_phone, employee_phone) == ([], ["HELP"])


def test_help_words_and_template_are_settings(api: Api) -> None:
    tenant = _tenant(
        api,
        keywords={"help": "SUPPORT", "help_synonyms": ["ASSIST"]},
        templates={"help": "<Company Name> support: <Support Contact>. Reply STOP to end."},
    )

    assert api.inbound(tenant, CONTACT, "assist")["status"] == "keyword"
    assert api.inbound(tenant, CONTACT, "HELP")["status"] == "held"  # no longer a keyword
    contact_phone, _ = phones(api, tenant)
    assert contact_phone[0] == "Northwind Bank support: +15550001001. Reply STOP to end."


# --- languages --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("opt_in", "confirmation", "opt_out", "optout_confirmation"),
    [
        ("YES", MT_CONFIRMATION, "STOP", MT_OPTOUT_CONFIRMATION),
        ("Sí", ES_CONFIRMATION, "baja", ES_OPTOUT_CONFIRMATION),
        ("oui", FR_CONFIRMATION, "Arrêt", FR_OPTOUT_CONFIRMATION),
        ("SIM", PT_CONFIRMATION, "sair", PT_OPTOUT_CONFIRMATION),
    ],
)
def test_each_language_opts_in_and_out_in_its_own_words(
    api: Api, opt_in: str, confirmation: str, opt_out: str, optout_confirmation: str
) -> None:
    """Issue 14 rows: pending | opt-in word of a language → confirmation in that language;
    opted_in | its opt-out word → opt-out confirmation in that language. The employee
    reads the organization's default language (English)."""
    tenant = _tenant(api, languages=ALL_LANGUAGES)
    api.inbound(tenant, CONTACT, "Hello")

    answer = api.inbound(tenant, CONTACT, opt_in)
    assert (answer["status"], answer["consent"]["state"]) == ("keyword", "opted_in")
    answer = api.inbound(tenant, CONTACT, opt_out)
    assert (answer["status"], answer["consent"]["state"]) == ("keyword", "opted_out")

    contact_phone, employee_phone = phones(api, tenant)
    assert contact_phone == [MT_REQUEST, confirmation, optout_confirmation]
    assert employee_phone[1:] == [MT_ACCEPTED_NOTICE, "Hello", MT_OPTOUT_NOTICE]


@pytest.mark.parametrize(
    ("word", "confirmation"),
    [
        ("ALTO", ES_OPTOUT_CONFIRMATION),
        ("PARAR", ES_OPTOUT_CONFIRMATION),
        ("TD", FR_OPTOUT_CONFIRMATION),
        ("ARRET", FR_OPTOUT_CONFIRMATION),
        ("Cancelar", ES_OPTOUT_CONFIRMATION),
    ],
)
def test_first_message_opt_out_word_answers_in_its_language(
    api: Api, word: str, confirmation: str
) -> None:
    """none | contact's first message is a language's opt-out word. PARAR and CANCELAR
    are Spanish and Portuguese: the first enabled language that has them answers."""
    tenant = _tenant(api, languages=["en", "es", "fr", "pt"])

    answer = api.inbound(tenant, CONTACT, word)

    assert (answer["status"], answer["consent"]["state"]) == ("keyword", "opted_out")
    contact_phone, _ = phones(api, tenant)
    assert contact_phone == [confirmation]


@pytest.mark.parametrize(
    ("word", "text"), [("AYUDA", ES_HELP), ("aide", FR_HELP), ("Ajuda", PT_HELP)]
)
def test_each_language_has_its_help_word(api: Api, word: str, text: str) -> None:
    tenant = _tenant(api, languages=ALL_LANGUAGES)
    api.inbound(tenant, CONTACT, "STOP")

    assert api.inbound(tenant, CONTACT, word)["status"] == "keyword"

    contact_phone, _ = phones(api, tenant)
    assert contact_phone == [MT_OPTOUT_CONFIRMATION, text]
    assert state(api, tenant) == "opted_out"


def test_contact_language_is_the_last_keywords_and_the_default_otherwise(api: Api) -> None:
    """A default language other than English: a new contact and the employee read Spanish;
    a contact who used an English keyword reads English from then on."""
    tenant = _tenant(api, languages=["es", "en"])

    api.inbound(tenant, CONTACT, "Hola")
    contact_phone, employee_phone = phones(api, tenant)
    assert contact_phone == [ES_REQUEST]
    assert employee_phone == [ES_REQUESTED_NOTICE]

    api.inbound(tenant, CONTACT, "YES")
    api.inbound(tenant, CONTACT, "HELP")
    contact_phone, _ = phones(api, tenant)
    assert contact_phone[1:] == [MT_CONFIRMATION, HELP]
    assert api.conversation(tenant, CONTACT)["language"] == "en"


def test_a_disabled_language_falls_back_to_the_default(api: Api) -> None:
    tenant = _tenant(api, languages=["en", "es"])
    api.inbound(tenant, CONTACT, "AYUDA")
    api.settings(tenant, languages=["en"])

    answer = api.inbound(tenant, CONTACT, "AYUDA")  # Spanish is off: ordinary text now

    assert answer["status"] == "held"
    contact_phone, _ = phones(api, tenant)
    assert contact_phone == [ES_HELP, MT_REQUEST]


def test_disclaimer_in_the_contacts_language(api: Api) -> None:
    tenant = _tenant(api, "disclaimer", languages=["en", "fr"])
    api.inbound(tenant, CONTACT, "AIDE")
    api.outbound(tenant, CONTACT, "Bonjour")

    contact_phone, _ = phones(api, tenant)
    assert contact_phone == [
        FR_HELP,
        "[Message automatique] Vous recevez des messages de Ada Lovelace au nom de "
        "Northwind Bank. Pour vous désabonner, répondez ARRET.",
        "Bonjour",
    ]
    assert DISCLAIMER not in contact_phone


# --- settings: collisions, safe templates, bad input -------------------------------------


def _settings(api: Api, tenant: Tenant) -> Any:
    return api.call("GET", f"/api/v1/orgs/{tenant.org_id}/settings", tenant.key, 200)


def test_words_colliding_across_enabled_languages_are_refused(api: Api) -> None:
    tenant = _tenant(api, keywords={"opt_in_synonyms": ["START", "BAJA"]})
    before = _settings(api, tenant)

    answer = api.settings(tenant, 422, languages=["en", "es"])

    assert answer["error"]["code"] == "invalid_setting"
    assert "BAJA (opt_in in en, opt_out in es)" in answer["error"]["message"]
    answer = api.settings(tenant, 422, localized={"pt": {"keywords": {"help": "SIM"}}})
    assert "SIM" in answer["error"]["message"]
    assert _settings(api, tenant) == before


def test_same_word_with_the_same_meaning_in_two_languages_is_allowed(api: Api) -> None:
    tenant = _tenant(api)

    answer = api.settings(tenant, languages=["es", "pt"])  # PARAR, CANCELAR in both

    assert answer["languages"] == ["es", "pt"]


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"languages": ["en", "xx"]}, "languages"),
        ({"languages": []}, "languages"),
        ({"keywords": {"help": ""}}, "keywords.help"),
        ({"keywords": {"opt_out": "  "}}, "keywords.opt_out"),
        ({"localized": {"es": {"keywords": {"opt_in": ""}}}}, "localized.es.keywords.opt_in"),
        ({"localized": {"de": {"templates": {}}}}, "localized"),
        ({"support_contact": "x" * 101}, "support_contact"),
        ({"consent_scope": "everything"}, "consent_scope"),
    ],
)
def test_bad_compliance_settings_are_refused_naming_the_field(
    api: Api, patch: dict[str, Any], field: str
) -> None:
    tenant = _tenant(api)
    before = _settings(api, tenant)

    answer = api.settings(tenant, 422, **patch)

    assert field in answer["error"]["message"], answer
    assert _settings(api, tenant) == before


@pytest.mark.parametrize(
    ("key", "text", "missing"),
    [
        ("mt_request", "Reply to reach <Employee Name>.", "how to opt in"),
        ("mo_request", "Reply <Opt-in Text> to talk to <Employee Name>.", "how to opt out"),
        ("mt_confirmation", "[Auto Message] Opt in confirmed.", "how to opt out"),
        ("mo_confirmation", "Thanks, you are in.", "how to opt out"),
        ("help", "<Company Name>: call <Support Contact>.", "how to opt out"),
    ],
)
def test_a_template_that_cannot_do_its_job_is_refused(
    api: Api, key: str, text: str, missing: str
) -> None:
    tenant = _tenant(api)
    before = _settings(api, tenant)

    answer = api.settings(tenant, 422, templates={key: text})

    assert answer["error"]["code"] == "unsafe_template"
    assert answer["error"]["message"].startswith(f"Template {key!r} must say {missing}")
    assert _settings(api, tenant) == before


def test_a_template_naming_the_keywords_literally_is_safe(api: Api) -> None:
    tenant = _tenant(api)

    api.settings(
        tenant,
        templates={
            "mt_request": "<Employee Name> asks: reply YES to talk, or STOP.",
            "mt_confirmation": "Confirmed. Text opt-out to end.",
        },
        localized={"es": {"templates": {"help": "Ayuda: <Support Contact>. Baja: ALTO."}}},
    )

    api.inbound(tenant, CONTACT, "Hi")
    contact_phone, _ = phones(api, tenant)
    assert contact_phone == ["Ada Lovelace asks: reply YES to talk, or STOP."]
    answer = api.settings(tenant, 422, localized={"fr": {"templates": {"help": "Aide."}}})
    assert answer["error"]["message"].startswith("localized.fr.templates: Template 'help'")


def test_staff_set_the_contacts_language_until_the_contact_uses_another(api: Api) -> None:
    tenant = _tenant(api, languages=["en", "es"])
    payload = {"line": tenant.line, "contact": CONTACT, "channel": "sms", "language": "es"}

    view = api.call("PUT", "/api/v1/conversations/language", tenant.key, 200, json=payload)

    assert view["language"] == "es"
    api.inbound(tenant, CONTACT, "Hola")
    api.inbound(tenant, CONTACT, "HELP")  # English from now on
    contact_phone, _ = phones(api, tenant)
    assert contact_phone == [ES_REQUEST, HELP]
    refused = api.call(
        "PUT",
        "/api/v1/conversations/language",
        tenant.key,
        422,
        json={**payload, "language": "fr"},
    )
    assert refused["error"]["message"] == (
        "language must be one of the organization's languages: en, es."
    )
    assert api.conversation(tenant, CONTACT)["language"] == "en"
