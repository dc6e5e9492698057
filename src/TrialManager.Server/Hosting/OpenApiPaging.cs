using System.Reflection;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using TrialManager.Server.Common;

namespace TrialManager.Server.Hosting;

/// <summary>
/// Lists bind <see cref="PageRequest"/> from <c>?limit=</c> and <c>?after=</c> by its own <c>BindAsync</c>, which the
/// OpenAPI generator cannot see into: this names the two query parameters on every operation that takes one, so
/// outside clients generated from /openapi/v1.json can page. A route that reads the two itself says so with <see cref="PagedQuery"/>.
/// </summary>
internal sealed class OpenApiPaging : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        // A minimal API's handler method is in its endpoint's metadata; the API explorer leaves custom-bound parameters out.
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var paged = metadata.OfType<PagedQuery>().Any()
                    || metadata.OfType<MethodInfo>().Any(m => m.GetParameters().Any(p => p.ParameterType == typeof(PageRequest)));
        if (!paged)
        {
            return Task.CompletedTask;
        }

        operation.Parameters ??= [];

        operation.Parameters.Add(new OpenApiParameter
        {
            Name = "limit",
            In = ParameterLocation.Query,
            Description = $"Items per page, 1 to {PageRequest.MaxLimit} (default {PageRequest.DefaultLimit}).",
            Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
        });
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = "after",
            In = ParameterLocation.Query,
            Description = "The opaque cursor of the next page, as given in the previous page's Link header (rel=\"next\").",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String },
        });
        return Task.CompletedTask;
    }
}
