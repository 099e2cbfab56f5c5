// The page at /: the whole flow, mounted on #app.
import './style.css';
import { createCharacterEngine } from './engine';
import { mountApp } from './app';

const threads = Number(new URLSearchParams(location.search).get('threads')) || undefined;
const engine = createCharacterEngine({ registry: '', threads });
mountApp(document.getElementById('app')!, engine);
(window as any).charidEngine = engine;
