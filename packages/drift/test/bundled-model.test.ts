/**
 * The model the service ships (prediction-service/model) carries its exact drift reference:
 * its 5,197 training rows with the model's own predictions, and no drift against itself.
 */
import path from 'node:path';
import { encodeColumns, readModelDir, readModelReference } from '@wine/model';
import { computeDrift, wineCurrentColumns, wineReferenceFromModel } from '../src/index';

const bundled = path.join(__dirname, '..', '..', '..', 'prediction-service', 'model');

test('the bundled model has a reference sample of its training rows and predictions', async () => {
  const reference = await readModelReference(bundled);
  if (reference.kind !== 'sample') throw new Error(`bundled model: no sample (${reference.kind})`);
  expect(reference.sample.rows).toBe(reference.document.training.nTrain);
  const { model } = await readModelDir(bundled);
  expect(Array.from(model.predict(encodeColumns(reference.sample)))).toEqual(
    Array.from(reference.sample.prediction!),
  );
  const prepared = wineReferenceFromModel(reference, { source: 'bundled' });
  const report = computeDrift(prepared, wineCurrentColumns(reference.sample));
  expect(report).toMatchObject({ status: 'ok', dataset_drift: false, drifted_columns: 0 });
  expect(report.features.alcohol).toMatchObject({ method: 'wasserstein', score: 0 });
  expect(report.features.wine_type).toMatchObject({ method: 'jensenshannon', score: 0 });
});
