// The API documentation page: Swagger UI over the application's own OpenAPI document.
(function () {
  var root = document.getElementById("api-docs");
  window.SwaggerUIBundle({
    url: root.getAttribute("data-spec"),
    domNode: root,
    deepLinking: true,
    tryItOutEnabled: false,
    persistAuthorization: false,
  });
})();
