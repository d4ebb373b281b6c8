/**
 * ingest: the base data from its location (folder, https archive, az:// prefix) plus the
 * labelled feedback rows, each fingerprinted (sha256) and stored as-is in the artifact store.
 */
import { parseDataLocation } from '../sources/data-location';
import { FEEDBACK_FILE, feedbackCsv } from '../sources/feedback';
import { currentChampion, type StepDefinition } from './step-context';
import type { IngestOutput } from './step-io.schema';

export const ingestStep: StepDefinition<'ingest'> = {
  name: 'ingest',
  async prepare(_prior, ctx) {
    const { params } = ctx;
    const location = parseDataLocation(params.data, { sha256: params.dataSha256 });
    const source = await ctx.readers[location.kind](location);
    const champion = await currentChampion(ctx.mlflow, params.registeredModel);
    const since =
      champion?.creationTimestamp === undefined ? undefined : new Date(champion.creationTimestamp);
    const feedback = await ctx.feedback?.read({
      maxAgeDays: params.feedbackMaxAgeDays,
      newSince: since,
    });
    const fb = feedback === undefined ? undefined : feedbackCsv(feedback.rows);
    const files = [
      ...source.files.map((f) => ({ ...f, kind: source.kind, location: source.location })),
      ...(fb === undefined || feedback === undefined || feedback.rows.length === 0
        ? []
        : [
            {
              name: FEEDBACK_FILE,
              bytes: fb.bytes,
              sha256: fb.sha256,
              kind: 'feedback' as const,
              location: 'prediction_feedback',
            },
          ]),
    ];
    const feedbackFacts = {
      rows: feedback?.rows.length ?? 0,
      newSinceChampion: feedback?.newSince ?? 0,
      championVersion: champion?.version ?? null,
    };
    return {
      key: files.map((f) => ({ name: f.name, kind: f.kind, sha256: f.sha256 })),
      facts: {
        sources: Object.fromEntries(files.map((f) => [f.name, f.sha256])),
        feedback: feedbackFacts,
      },
      async run(): Promise<IngestOutput> {
        const sources = [];
        for (const f of files) {
          sources.push({
            name: f.name,
            kind: f.kind,
            location: f.location,
            sha256: f.sha256,
            bytes: f.bytes.byteLength,
            file: await ctx.artifacts.put(`ingest/${f.name}`, f.bytes),
          });
        }
        ctx.log.info('ingested', { files: sources.length, feedbackRows: feedbackFacts.rows });
        return { sources, feedback: feedbackFacts };
      },
    };
  },
};
