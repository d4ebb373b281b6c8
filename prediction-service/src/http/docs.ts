/**
 * GET /docs: Swagger UI from the swagger-ui-dist package, served locally (the service may run
 * offline, and helmet's CSP forbids third-party scripts). The initializer is a separate file
 * because the CSP also forbids inline scripts.
 */
import path from 'node:path';
import express, { Router } from 'express';
import { docsSecurityMiddleware } from './security-headers';

const ASSETS = path.dirname(require.resolve('swagger-ui-dist/package.json'));

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Wine quality prediction service — API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`;

const INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true });\n`;

export function docsRoutes(): Router {
  const router = Router();
  // The pages replace the API's header set with helmet's defaults (security-headers.ts).
  router.use('/docs', docsSecurityMiddleware());
  router.get('/docs', (_req, res) => {
    res.type('html').send(PAGE);
  });
  router.get('/docs/init.js', (_req, res) => {
    res.type('application/javascript').send(INIT);
  });
  router.use('/docs/assets', express.static(ASSETS, { index: false, maxAge: '1d' }));
  return router;
}
