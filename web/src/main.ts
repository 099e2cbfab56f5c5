// The page at /: the whole flow, mounted on #app; the service worker keeps it usable offline.
import './style.css';
import { createCharacterEngine } from './engine';
import { mountApp } from './app';
import { registerServiceWorker } from './queue';

const threads = Number(new URLSearchParams(location.search).get('threads')) || undefined;
const engine = createCharacterEngine({ registry: '', threads });
mountApp(document.getElementById('app')!, engine);
(window as any).charidEngine = engine;
registerServiceWorker(new URL(import.meta.env.BASE_URL ?? '/', location.href).href);
