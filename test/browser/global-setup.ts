// Jest global setup of the browser project: the UI is built once, before any test file starts a runtime serving it, and
// a failed build fails the run (npm start would only report it and serve the API without a UI).
import { ensureWebUiBuilt } from '../../local/web-build';

export default async function globalSetup(): Promise<void> {
  await ensureWebUiBuilt({ log: (line) => console.log(line) });
}
