using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace TrialManager.Infrastructure.Persistence;

/// <summary>
/// An EF compiled query, compiled once per model. Compiled, a hot query skips EF's walk and cache look-up of its
/// expression tree on every execution; but a compiled query serves only the model it first ran with, and one
/// process can host several (a test process runs SQLite and PostgreSQL servers side by side).
/// </summary>
public sealed class CompiledPerModel<TQuery>(Func<TQuery> compile) where TQuery : class
{
    private readonly ConditionalWeakTable<IModel, TQuery> _byModel = [];

    public TQuery For(DbContext db) => _byModel.GetValue(db.Model, _ => compile());
}
