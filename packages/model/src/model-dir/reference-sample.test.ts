import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  EXAMPLE_WINE,
  addReferenceSample,
  REFERENCE_SAMPLE_FILE,
  computeDriftReference,
  computeReferenceProfile,
  createRng,
  encodeRecords,
  fitTree,
  LEARNER,
  readModelDir,
  readModelReference,
  sampleRowIndices,
  writeModelDir,
  type EnsembleDocument,
  type LabeledWineRecord,
} from '@wine/model';

const rng = createRng(7);
const records: LabeledWineRecord[] = Array.from({ length: 300 }, (_, i) => ({
  ...EXAMPLE_WINE,
  alcohol: Math.round((8 + rng.next() * 6) * 10) / 10,
  density: 0.99 + rng.next() / 100,
  wine_type: i % 3 === 0 ? 'red' : 'white',
  quality: 3 + (i % 6),
}));
const x = encodeRecords(records);
const y = Float64Array.from(records, (r) => r.quality);
const model = fitTree(x, y, { maxDepth: 3, seed: 1 });
const predictions = model.predict(x);
const training = { kind: 'tree', params: {}, learner: { ...LEARNER }, nTrain: 300 } as const;

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'reference-sample-'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('sampleRowIndices', () => {
  it('keeps every row up to the cap, in order', () => {
    expect(Array.from(sampleRowIndices(5, 10, 1))).toEqual([0, 1, 2, 3, 4]);
  });
  it('above the cap: a seeded uniform sample without replacement, ascending', () => {
    const a = sampleRowIndices(100_000, 10_000, 42);
    expect(a).toHaveLength(10_000);
    expect(new Set(a).size).toBe(10_000);
    expect(Array.from(a)).toEqual(Array.from(a).sort((p, q) => p - q));
    expect(sampleRowIndices(100_000, 10_000, 42)).toEqual(a);
    expect(sampleRowIndices(100_000, 10_000, 43)).not.toEqual(a);
    // Uniform: each tenth of the rows holds about a tenth of the sample (±4σ ≈ ±120).
    const deciles = new Array<number>(10).fill(0);
    for (const i of a) deciles[Math.floor(i / 10_000)]! += 1;
    for (const d of deciles) expect(Math.abs(d - 1000)).toBeLessThan(120);
  });
});

describe('reference sample in the model directory', () => {
  async function write(maxRows?: number): Promise<{ dir: string; doc: EnsembleDocument }> {
    const { reference, referenceSample } = computeDriftReference(x, y, predictions, {
      seed: 42,
      ...(maxRows === undefined ? {} : { maxRows }),
    });
    const doc = model.toDocument({ training, reference });
    const dir = path.join(tmp, 'model');
    await writeModelDir(dir, doc, { inputExample: records.slice(0, 2), referenceSample });
    return { dir, doc };
  }

  it('round-trips exactly: every value, colour, quality and prediction', async () => {
    const { dir, doc } = await write();
    expect(doc.reference?.sample).toMatchObject({
      file: REFERENCE_SAMPLE_FILE,
      rows: 300,
      sourceRows: 300,
      seed: 42,
    });
    expect(await readdir(dir)).toContain(REFERENCE_SAMPLE_FILE);
    const ref = await readModelReference(dir);
    if (ref.kind !== 'sample') throw new Error(`expected a sample, got ${ref.kind}`);
    expect(ref.sample.rows).toBe(300);
    expect(Array.from(ref.sample.features.alcohol)).toEqual(records.map((r) => r.alcohol));
    expect(Array.from(ref.sample.features.density)).toEqual(records.map((r) => r.density));
    expect(ref.sample.wineType).toEqual(records.map((r) => r.wine_type));
    expect(Array.from(ref.sample.quality!)).toEqual(Array.from(y));
    expect(Array.from(ref.sample.prediction!)).toEqual(Array.from(predictions));
    // The service's loader is unaffected.
    expect((await readModelDir(dir)).model.predict(x)).toEqual(predictions);
  });

  it('is a CSV pandas reads: header, one line per row', async () => {
    const { dir } = await write(50);
    const text = gunzipSync(await readFile(path.join(dir, REFERENCE_SAMPLE_FILE))).toString();
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'fixed_acidity,volatile_acidity,citric_acid,residual_sugar,chlorides,free_sulfur_dioxide,' +
        'total_sulfur_dioxide,density,ph,sulphates,alcohol,wine_type,quality,prediction',
    );
    expect(lines).toHaveLength(51);
  });

  it('an older model without a sample offers its binned profile', async () => {
    const doc = model.toDocument({ training, reference: computeReferenceProfile(x, predictions) });
    const dir = path.join(tmp, 'old');
    await writeModelDir(dir, doc, { inputExample: records.slice(0, 1) });
    expect((await readModelReference(dir)).kind).toBe('profile');
    const bare = path.join(tmp, 'bare');
    await writeModelDir(bare, model.toDocument({ training }), {
      inputExample: records.slice(0, 1),
    });
    expect((await readModelReference(bare)).kind).toBe('none');
  });

  it('a changed, missing or mismatched sample is MODEL_INVALID', async () => {
    const { dir, doc } = await write();
    const file = path.join(dir, REFERENCE_SAMPLE_FILE);
    const text = gunzipSync(await readFile(file)).toString();
    await writeFile(file, gzipSync(text.replace(/\n([0-9.]+),/, '\n9.99,')));
    await expect(readModelReference(dir)).rejects.toMatchObject({
      code: 'MODEL_INVALID',
      message: expect.stringMatching(/does not match the sha256/),
    });
    await rm(file);
    await expect(readModelReference(dir)).rejects.toMatchObject({ code: 'MODEL_INVALID' });
    await expect(
      writeModelDir(path.join(tmp, 'x'), doc, { inputExample: records.slice(0, 1) }),
    ).rejects.toMatchObject({ code: 'MODEL_INVALID' });
  });

  it('model.json refuses a sample file name that points elsewhere', async () => {
    const { dir } = await write();
    const json = await readFile(path.join(dir, 'model.json'), 'utf8');
    await writeFile(
      path.join(dir, 'model.json'),
      json.replace(`"file": "${REFERENCE_SAMPLE_FILE}"`, '"file": "../../etc/passwd"'),
    );
    await expect(readModelReference(dir)).rejects.toMatchObject({ code: 'MODEL_INVALID' });
  });
});

describe('addReferenceSample (models from before samples)', () => {
  async function oldModel(): Promise<string> {
    const doc = model.toDocument({
      training,
      reference: computeReferenceProfile(x, predictions, { target: y }),
    });
    const dir = path.join(tmp, 'old');
    await writeModelDir(dir, doc, { inputExample: records.slice(0, 1), runId: 'run-7' });
    return dir;
  }

  it('adds the sample from the training rows, keeps trees and MLmodel provenance', async () => {
    const dir = await oldModel();
    const before = await readModelDir(dir);
    const added = await addReferenceSample(dir, { x, y }, { seed: 42 });
    expect(added).toMatchObject({ rows: 300, sourceRows: 300, profileVerified: true });
    const after = await readModelDir(dir);
    expect(after.document.trees).toEqual(before.document.trees);
    expect(after.model.predict(x)).toEqual(before.model.predict(x));
    expect(after.mlmodel).toMatch(/run_id: run-7/);
    expect((await readModelReference(dir)).kind).toBe('sample');
  });

  it('refuses rows that are not the training rows', async () => {
    const dir = await oldModel();
    await expect(
      addReferenceSample(dir, { x: encodeRecords(records.slice(1)), y: y.slice(1) }, { seed: 1 }),
    ).rejects.toMatchObject({
      code: 'PARAMS_INVALID',
      message: expect.stringMatching(/trained on 300/),
    });
    const shuffled = records.map((r, i) => (i === 0 ? { ...r, alcohol: r.alcohol + 0.1 } : r));
    await expect(
      addReferenceSample(dir, { x: encodeRecords(shuffled), y }, { seed: 1 }),
    ).rejects.toMatchObject({
      message: expect.stringMatching(/not the ones the model was trained on/),
    });
    expect((await readModelReference(dir)).kind).toBe('profile');
  });
});
