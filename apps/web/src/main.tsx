import { render } from 'preact';
import { App } from './app';
import './styles.css';

const root = document.getElementById('app')!;
// The static "Loading…" line goes; Preact renders into an empty container.
root.textContent = '';
render(<App />, root);
