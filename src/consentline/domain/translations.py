"""The languages an organization can enable: reviewed keyword lists and translations of every
template (SPEC §4 keys plus ``help``). English is ``templates.DEFAULT_TEMPLATES`` and the
default ``Keywords``; the others are here.

Sources for the words: CTIA and the FCC's 2024 revocation words (English), CASL practice in
Canada and Quebec (ARRET, TD), and what Spanish- and Portuguese-speaking clients write (BAJA,
ALTO, PARAR; PARAR, SAIR). Accented and unaccented spellings are both listed, because
keyword matching compares letters exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from consentline.domain.keywords import Keywords
from consentline.domain.templates import DEFAULT_TEMPLATES

ENGLISH = "en"
LANGUAGE_NAMES: Mapping[str, str] = MappingProxyType(
    {"en": "English", "es": "Español", "fr": "Français", "pt": "Português"}
)
AVAILABLE_LANGUAGES = tuple(LANGUAGE_NAMES)

LANGUAGE_KEYWORDS: Mapping[str, Keywords] = MappingProxyType(
    {
        "en": Keywords(),
        "es": Keywords(
            opt_in="SI",
            opt_out="BAJA",
            opt_in_synonyms=("SÍ", "ACEPTO"),
            opt_out_synonyms=("ALTO", "PARAR", "CANCELAR", "DETENER"),
            help="AYUDA",
            help_synonyms=(),
        ),
        "fr": Keywords(
            opt_in="OUI",
            opt_out="ARRET",
            opt_in_synonyms=("ACCEPTE",),
            opt_out_synonyms=("ARRÊT", "TD", "DESABONNER", "DÉSABONNER"),
            help="AIDE",
            help_synonyms=(),
        ),
        "pt": Keywords(
            opt_in="SIM",
            opt_out="PARAR",
            opt_in_synonyms=("ACEITO",),
            opt_out_synonyms=("SAIR", "CANCELAR"),
            help="AJUDA",
            help_synonyms=(),
        ),
    }
)

_ES_ACCEPTED = (
    "[Mensaje automático] Su contacto aceptó recibir mensajes. Puede seguir enviando y "
    "recibiendo mensajes."
)
_ES_OPTOUT_NOTICE = (
    "[Mensaje automático] Su contacto se dio de baja. No se pueden enviar más mensajes a este "
    "contacto hasta que vuelva a dar su consentimiento."
)
_ES_OPTOUT_CONFIRMATION = (
    "[Mensaje automático] Baja confirmada. Si cambia de opinión, responda con un nuevo mensaje."
)
SPANISH: Mapping[str, str] = {
    "mt_request": (
        "[Mensaje automático] Está intentando comunicarse con <Employee Name>. Según la "
        "política de la empresa, debe dar su consentimiento para que su mensaje sea entregado. "
        "Para aceptar, responda <Opt-in Text>. Para darse de baja, responda <Opt-out Text>."
    ),
    "mt_requested_notice": (
        "[Mensaje automático] Un contacto intentó enviarle un mensaje. Según la política de la "
        "empresa, se le envió una solicitud de consentimiento. Una vez confirmada, podrá enviar "
        "y recibir mensajes."
    ),
    "mt_accepted_notice": _ES_ACCEPTED,
    "mt_confirmation": (
        "[Mensaje automático] Consentimiento confirmado. Para darse de baja en cualquier "
        "momento, responda <Opt-out Text>."
    ),
    "mt_optout_notice": _ES_OPTOUT_NOTICE,
    "mt_optout_confirmation": _ES_OPTOUT_CONFIRMATION,
    "mo_request": (
        "[Mensaje automático] <Employee Name> está intentando comunicarse con usted. Según la "
        "política de la empresa, debe dar su consentimiento para continuar. Para aceptar, "
        "responda <Opt-in Text>. Para darse de baja, responda <Opt-out Text>."
    ),
    "mo_requested_notice": (
        "[Mensaje automático] Se envió a su contacto una solicitud de consentimiento. Cuando la "
        "acepte, podrá enviarle mensajes."
    ),
    "mo_accepted_notice": _ES_ACCEPTED,
    "mo_confirmation": (
        "[Mensaje automático] Consentimiento confirmado. Si desea darse de baja en cualquier "
        "momento, responda <Opt-out Text>."
    ),
    "mo_optout_notice": _ES_OPTOUT_NOTICE,
    "mo_optout_confirmation": _ES_OPTOUT_CONFIRMATION,
    "disclaimer": (
        "[Mensaje automático] Recibe mensajes de <Employee Name> en nombre de <Company Name>. "
        "Para darse de baja, responda <Opt-out Text>."
    ),
    "help": (
        "[Mensaje automático] <Company Name>: para obtener ayuda, comuníquese con "
        "<Support Contact>. Para darse de baja, responda <Opt-out Text>."
    ),
}

_FR_ACCEPTED = (
    "[Message automatique] Votre contact a donné son consentement. Vous pouvez continuer à "
    "envoyer et recevoir des messages."
)
_FR_OPTOUT_NOTICE = (
    "[Message automatique] Votre contact s'est désabonné. Aucun autre message ne peut lui être "
    "envoyé tant qu'il n'a pas de nouveau donné son consentement."
)
_FR_OPTOUT_CONFIRMATION = (
    "[Message automatique] Désabonnement confirmé. Si vous changez d'avis, répondez par un "
    "nouveau message."
)
FRENCH: Mapping[str, str] = {
    "mt_request": (
        "[Message automatique] Vous essayez de joindre <Employee Name>. Selon la politique de "
        "l'entreprise, vous devez donner votre consentement pour que votre message soit "
        "transmis. Pour accepter, répondez <Opt-in Text>. Pour vous désabonner, répondez "
        "<Opt-out Text>."
    ),
    "mt_requested_notice": (
        "[Message automatique] Un contact a tenté de vous envoyer un message. Selon la politique "
        "de l'entreprise, une demande de consentement lui a été envoyée. Une fois confirmée, "
        "vous pourrez envoyer et recevoir des messages."
    ),
    "mt_accepted_notice": _FR_ACCEPTED,
    "mt_confirmation": (
        "[Message automatique] Consentement confirmé. Pour vous désabonner à tout moment, "
        "répondez <Opt-out Text>."
    ),
    "mt_optout_notice": _FR_OPTOUT_NOTICE,
    "mt_optout_confirmation": _FR_OPTOUT_CONFIRMATION,
    "mo_request": (
        "[Message automatique] <Employee Name> essaie de vous joindre. Selon la politique de "
        "l'entreprise, vous devez donner votre consentement pour continuer. Pour accepter, "
        "répondez <Opt-in Text>. Pour vous désabonner, répondez <Opt-out Text>."
    ),
    "mo_requested_notice": (
        "[Message automatique] Une demande de consentement a été envoyée à votre contact. Dès "
        "qu'il l'aura acceptée, vous pourrez lui écrire."
    ),
    "mo_accepted_notice": _FR_ACCEPTED,
    "mo_confirmation": (
        "[Message automatique] Consentement confirmé. Si vous souhaitez vous désabonner à tout "
        "moment, répondez <Opt-out Text>."
    ),
    "mo_optout_notice": _FR_OPTOUT_NOTICE,
    "mo_optout_confirmation": _FR_OPTOUT_CONFIRMATION,
    "disclaimer": (
        "[Message automatique] Vous recevez des messages de <Employee Name> au nom de "
        "<Company Name>. Pour vous désabonner, répondez <Opt-out Text>."
    ),
    "help": (
        "[Message automatique] <Company Name> : pour obtenir de l'aide, contactez "
        "<Support Contact>. Pour vous désabonner, répondez <Opt-out Text>."
    ),
}

_PT_ACCEPTED = (
    "[Mensagem automática] Seu contato deu consentimento. Você pode continuar a enviar e "
    "receber mensagens."
)
_PT_OPTOUT_NOTICE = (
    "[Mensagem automática] Seu contato cancelou o recebimento. Nenhuma outra mensagem pode ser "
    "enviada a este contato até que ele dê seu consentimento novamente."
)
_PT_OPTOUT_CONFIRMATION = (
    "[Mensagem automática] Cancelamento confirmado. Se mudar de ideia, responda com uma nova "
    "mensagem."
)
PORTUGUESE: Mapping[str, str] = {
    "mt_request": (
        "[Mensagem automática] Você está tentando falar com <Employee Name>. Conforme a política "
        "da empresa, você precisa dar seu consentimento para que sua mensagem seja entregue. "
        "Para aceitar, responda <Opt-in Text>. Para cancelar, responda <Opt-out Text>."
    ),
    "mt_requested_notice": (
        "[Mensagem automática] Um contato tentou lhe enviar uma mensagem. Conforme a política da "
        "empresa, foi enviado a ele um pedido de consentimento. Após a confirmação, você poderá "
        "enviar e receber mensagens."
    ),
    "mt_accepted_notice": _PT_ACCEPTED,
    "mt_confirmation": (
        "[Mensagem automática] Consentimento confirmado. Para cancelar a qualquer momento, "
        "responda <Opt-out Text>."
    ),
    "mt_optout_notice": _PT_OPTOUT_NOTICE,
    "mt_optout_confirmation": _PT_OPTOUT_CONFIRMATION,
    "mo_request": (
        "[Mensagem automática] <Employee Name> está tentando falar com você. Conforme a política "
        "da empresa, você precisa dar seu consentimento para continuar. Para aceitar, responda "
        "<Opt-in Text>. Para cancelar, responda <Opt-out Text>."
    ),
    "mo_requested_notice": (
        "[Mensagem automática] Um pedido de consentimento foi enviado ao seu contato. Assim que "
        "ele aceitar, você poderá trocar mensagens com ele."
    ),
    "mo_accepted_notice": _PT_ACCEPTED,
    "mo_confirmation": (
        "[Mensagem automática] Consentimento confirmado. Se quiser cancelar a qualquer momento, "
        "responda <Opt-out Text>."
    ),
    "mo_optout_notice": _PT_OPTOUT_NOTICE,
    "mo_optout_confirmation": _PT_OPTOUT_CONFIRMATION,
    "disclaimer": (
        "[Mensagem automática] Você está recebendo mensagens de <Employee Name> em nome de "
        "<Company Name>. Para cancelar, responda <Opt-out Text>."
    ),
    "help": (
        "[Mensagem automática] <Company Name>: para obter ajuda, fale com <Support Contact>. "
        "Para cancelar, responda <Opt-out Text>."
    ),
}

LANGUAGE_TEMPLATES: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {"en": DEFAULT_TEMPLATES, "es": SPANISH, "fr": FRENCH, "pt": PORTUGUESE}
)
