// Cards of the characters made or imported in this browser (localStorage `charid.cards`): what
// drift checks and card export need, since the registry never returns a vector.
export type LocalCard = { payload: any; thumbnails: string[]; name: string; model: string; consent?: { basis: string } };
const LOCAL_KEY = 'charid.cards';

export function localCards(): Record<string, LocalCard> {
  try {
    return JSON.parse(localStorage.getItem(LOCAL_KEY) ?? '{}') ?? {};
  } catch {
    return {};
  }
}

function write(all: Record<string, LocalCard>): boolean {
  try {
    localStorage.setItem(LOCAL_KEY, JSON.stringify(all));
    return true;
  } catch {
    return false; // full (QuotaExceededError) or storage switched off
  }
}

// Keeps the card; a full storage is not a failed registration (the ID exists on the registry),
// so this never throws: it says what it kept ('card', 'card_without_thumbnails' or 'nothing').
export function saveLocal(id: string, card: LocalCard): 'card' | 'card_without_thumbnails' | 'nothing' {
  const all = localCards();
  all[id] = card;
  if (write(all)) return 'card';
  all[id] = { ...card, thumbnails: [] };
  if (write(all)) return 'card_without_thumbnails';
  return 'nothing';
}

// What saveLocal's answer means for the person, or null when all was kept.
export function keptNote(kept: ReturnType<typeof saveLocal>): string | null {
  if (kept === 'card') return null;
  if (kept === 'card_without_thumbnails') return 'This browser\'s storage is full: the card was kept without its pictures.';
  return 'This browser\'s storage is full, so the card was not kept here: the ID is registered, but drift checks and card export need the card (free some space, then import an exported card).';
}

export function dropLocal(id: string) {
  const all = localCards();
  delete all[id];
  write(all);
}
