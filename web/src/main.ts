// The page at /: the whole flow, mounted on #app.
import './style.css';
import { createCharacterEngine } from './engine';
import { mountApp } from './app';

const engine = createCharacterEngine({ registry: '' });
mountApp(document.getElementById('app')!, engine);
(window as any).charidEngine = engine;
