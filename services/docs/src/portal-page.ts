/** The /docs page: Swagger UI from the bundled swagger-ui-dist assets, pointed at the merged document. */
export const portalPage = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Bonding Platform API</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="reference"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/portal.js"></script>
</body>
</html>
`;

/** Kept out of the HTML so the page works under a script-src 'self' content security policy. */
export const portalScript = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#reference',
    deepLinking: true,
    persistAuthorization: true,
    tryItOutEnabled: true,
    displayRequestDuration: true,
  });
});
`;
