// Entry of the bundled Action (dist/index.js). The only module with a top-level call.
import { run } from './action.js';

await run();
