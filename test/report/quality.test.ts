// The data-quality list: which items are problems (warnings) and which are information.
import { describe, expect, it } from 'vitest';
import { dataQualityItems, noiseGuardNote } from '../../src/report/quality.js';

describe('dataQualityItems', () => {
  it("a noise-guard rerun's note is information; any other scenario note is a problem", () => {
    const items = dataQualityItems({ name: 's', criteria: [], notes: [noiseGuardNote(2), 'no scenario named x: only the top-level thresholds apply'] }, undefined);
    expect(items).toEqual([
      { text: 'attempt 2: the first run failed the gate and this rerun decides (noise guard)', warn: false },
      { text: 'no scenario named x: only the top-level thresholds apply', warn: true },
    ]);
  });
});
