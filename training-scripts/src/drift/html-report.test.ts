import { escapeHtml, histogramSvg } from './html-report';

test('escapeHtml neutralises markup in paths and labels', () => {
  expect(escapeHtml(`<script>alert("x")</script>&'`)).toBe(
    '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;',
  );
});

test('histogramSvg draws both samples and escapes category labels', () => {
  const numerical = histogramSvg(
    { kind: 'numerical', edges: [0, 1, 2], reference: [0.5, 0.5], current: [1, 0] },
    200,
    100,
    true,
  );
  expect(numerical.match(/<rect/g)).toHaveLength(3); // empty bins are not drawn
  expect(numerical).toContain('100 %');
  const categorical = histogramSvg(
    { kind: 'categorical', labels: ['<red>'], reference: [1], current: [1] },
    200,
    100,
    true,
  );
  expect(categorical).toContain('&lt;red&gt;');
  expect(categorical).not.toContain('<red>');
});
