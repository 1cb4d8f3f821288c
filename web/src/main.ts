// Entry point of the web UI: loads the styles and renders the app into the page.
import { render } from 'preact';
import { html } from 'htm/preact';
import { App } from './app';
import './styles.css';

render(html`<${App} />`, document.getElementById('app')!);
