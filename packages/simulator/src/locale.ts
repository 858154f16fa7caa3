export type Locale = 'en' | 'fr'

/** Best match of an `X-Flat-Locale` value among the locales the simulator speaks; `en` otherwise, never an error. */
export function pickLocale(header: string | string[] | undefined): Locale {
  const value = (Array.isArray(header) ? header[0] : header)?.trim().toLowerCase() ?? ''
  return value === 'fr' || value.startsWith('fr-') || value.startsWith('fr_') ? 'fr' : 'en'
}

const OMR_ERRORS: Readonly<Record<string, Readonly<Record<Locale, string>>>> = {
  NO_MUSIC_DETECTED: {
    en: 'We could not find any music notation in this file.',
    fr: 'Nous n’avons trouvé aucune notation musicale dans ce fichier.',
  },
  CORRUPTED_FILE: {
    en: 'This file is damaged and could not be opened.',
    fr: 'Ce fichier est endommagé et n’a pas pu être ouvert.',
  },
  UNSUPPORTED_FORMAT: {
    en: 'This file format is not supported yet.',
    fr: 'Ce format de fichier n’est pas encore pris en charge.',
  },
  UNSUPPORTED_TABLATURE: {
    en: 'Guitar tablature cannot be recognized yet.',
    fr: 'Les tablatures de guitare ne peuvent pas encore être reconnues.',
  },
  ENCRYPTED_PDF: { en: 'This PDF is protected by a password.', fr: 'Ce PDF est protégé par un mot de passe.' },
  TOO_LARGE: {
    en: 'This document is too large to be processed.',
    fr: 'Ce document est trop volumineux pour être traité.',
  },
  ENGINE_TIMEOUT: {
    en: 'Recognition took too long and was stopped.',
    fr: 'La reconnaissance a pris trop de temps et a été interrompue.',
  },
  GENERIC: { en: 'The recognition failed.', fr: 'La reconnaissance a échoué.' },
}

/** The user-facing message of an OMR error code; an unknown code gets the generic one. */
export function omrErrorMessage(code: string, locale: Locale): string {
  return (OMR_ERRORS[code] ?? (OMR_ERRORS.GENERIC as Readonly<Record<Locale, string>>))[locale]
}

export function omrProgressText(key: string, locale: Locale, page: number, pages: number): string {
  switch (key) {
    case 'OMR_QUEUED':
      return locale === 'fr' ? 'En file d’attente' : 'Waiting in the queue'
    case 'OMR_PROCESSING_PAGE':
      return locale === 'fr' ? `Lecture de la page ${page} sur ${pages}` : `Reading page ${page} of ${pages}`
    case 'OMR_AWAITING_DETAILS':
      return locale === 'fr' ? 'En attente de vos réponses' : 'Waiting for your answers'
    default:
      return locale === 'fr' ? 'Création de la partition' : 'Creating the score'
  }
}
