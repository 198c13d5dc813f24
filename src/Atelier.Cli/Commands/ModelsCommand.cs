using System.CommandLine;
using System.Globalization;
using System.Text;
using Atelier.Cli.Infrastructure;
using Atelier.Models;

namespace Atelier.Cli.Commands;

/// <summary>
/// `atelier models list|fetch|path|verify|remove`: the published models by name (the library's catalogue), fetched
/// once into the cache with their hashes checked. Model options elsewhere (--model, --vgg, --checkpoint...) take the
/// same names and fetch on first use.
/// </summary>
public static class ModelsCommand
{
    public sealed record Listed(string Name, string Kind, string File, long? Size, string Licence, string LicenceShort, string Page, string Source,
        IReadOnlyList<string> Urls, string? Member, string PublishedHash, bool TrustOnFirstUse, bool Cached, string State, string Path, string? Sha256);
    public sealed record Shipped(string Name, string Path, string? Card);
    public sealed record ListResult(string Cache, string? Mirror, bool Offline, IReadOnlyList<Shipped> ShippedModels, IReadOnlyList<Listed> Catalogue);
    public sealed record Fetched(string Name, string Path, long Size, string Sha256, string Trust, string Source);
    public sealed record Verified(string Name, string Path, bool Ok, string? Error, string? Trust);

    public static Command Create()
    {
        var cmd = new Command("models", "The published models by name: list the catalogue, fetch into the cache (checked by hash), show paths, verify, remove. Model options (--model, --vgg, --features, --decoder, --checkpoint) take the same names and fetch on first use; a model Atelier ships wins a name");
        cmd.Subcommands.Add(List());
        cmd.Subcommands.Add(Fetch());
        cmd.Subcommands.Add(PathOf());
        cmd.Subcommands.Add(Verify());
        cmd.Subcommands.Add(Remove());
        return cmd;
    }

    static Command List()
    {
        var cmd = new Command("list", "The catalogue (name, kind, size, licence, publisher's page, cached or not; --json adds addresses and sources) and the models Atelier ships");
        CliRunner.SetAction(cmd, (ctx, _) =>
        {
            var store = ctx.Models;
            var shipped = ShippedModels.All().Select(m => new Shipped(m.Name, m.Path, m.CardPath)).ToList();
            var listed = store.List().Select(s => new Listed(s.Entry.Name, s.Entry.Kind, s.Entry.File, s.Entry.Size ?? s.Record?.Size,
                s.Entry.Licence, s.Entry.LicenceShort, s.Entry.Page, s.Entry.Source, s.Entry.Urls, s.Entry.Archive?.Member, s.Entry.PublishedHash,
                s.Entry.TrustOnFirstUse, s.Cached, s.State, s.Path, s.Record?.Sha256)).ToList();
            var result = new ListResult(store.Cache.ModelsFolder, store.Options.Mirror, store.Options.Offline, shipped, listed);
            ctx.Result(result, Describe(result));
            return CliRunner.Success;
        }, usesTorch: false);
        return cmd;
    }

    static Command Fetch()
    {
        var names = new Argument<string[]>("names") { Description = "Catalogue names (see models list)", Arity = ArgumentArity.OneOrMore };
        var cmd = new Command("fetch", "Download catalogue models into the cache (resumed after a dropped connection, checked by size and hash before use)") { names };
        CliRunner.SetAction(cmd, (ctx, ct) =>
        {
            var store = ctx.Models;
            var entries = ctx.Get(names)!.Select(n => Entry(store, n)).ToList(); // every name checked before any download
            var done = new List<Fetched>();
            foreach (var entry in entries)
            {
                var path = store.Cache.Contains(entry) ? store.Fetch(entry, null, ct, ctx.Note)
                    : ctx.WithProgress("fetch", p => store.Fetch(entry, p, ct, ctx.Note));
                var record = FileRecord.Read(path)!;
                done.Add(new Fetched(entry.Name, path, record.Size, record.Sha256, record.Trust, record.Source));
                if (!ctx.Json && !ctx.Quiet)
                    ctx.Out.WriteLine($"{entry.Name}: {path} ({Size(record.Size)}, sha256 {record.Sha256[..16]}..., {(record.Trust == FileRecord.FirstUse ? "no published hash: trusted on first use" : "matches the publisher's hash")})");
            }
            if (ctx.Json) ctx.Result(new { fetched = done });
            return CliRunner.Success;
        });
        return cmd;
    }

    static Command PathOf()
    {
        var name = new Argument<string>("name") { Description = "A catalogue or shipped model's name" };
        var cmd = new Command("path", "Print where a model's file is (a shipped model, or a fetched catalogue model); fails when it is not fetched yet") { name };
        CliRunner.SetAction(cmd, (ctx, ct) =>
        {
            var store = ctx.Models;
            var given = ctx.Get(name)!;
            var found = ModelResolver.Find(given, ModelUse.AnyShortName, store);
            if (found.Shipped is null && found.Entry is null) Entry(store, given); // says what the catalogue has
            if (found.NeedsFetch)
                throw new AtelierException($"{found.Entry!.Name}: not fetched yet (atelier models fetch {found.Entry.Name} puts it at {found.Path})");
            if (found.Entry is { } entry) store.Cache.Check(entry, ct);
            ctx.Result(new { name = given, path = found.Path }, found.Path);
            return CliRunner.Success;
        }, usesTorch: false);
        return cmd;
    }

    static Command Verify()
    {
        var names = new Argument<string[]>("names") { Description = "Catalogue names (default: every cached model)", Arity = ArgumentArity.ZeroOrMore };
        var cmd = new Command("verify", "Check cached models against the publisher's hash or the record made when they were fetched (size and SHA-256)") { names };
        CliRunner.SetAction(cmd, (ctx, ct) =>
        {
            var store = ctx.Models;
            var given = ctx.Get(names) ?? [];
            var entries = given.Length > 0 ? given.Select(n => Entry(store, n)).ToList() : store.Catalogue.Entries.Where(store.Cache.Contains).ToList();
            var results = new List<Verified>();
            foreach (var entry in entries)
            {
                var path = store.Cache.PathOf(entry);
                if (!File.Exists(path)) { results.Add(new Verified(entry.Name, path, false, "not fetched", null)); continue; }
                try { results.Add(new Verified(entry.Name, path, true, null, store.Cache.Check(entry, ct).Trust)); }
                catch (AtelierException e) { results.Add(new Verified(entry.Name, path, false, e.Message, null)); }
            }
            var human = results.Count == 0 ? "no catalogue models in the cache" : string.Join(Environment.NewLine, results.Select(r =>
                r.Ok ? $"ok      {r.Name} ({(r.Trust == FileRecord.FirstUse ? "matches its first-use record" : "matches the publisher's hash")})" : $"FAILED  {r.Name}: {r.Error}"));
            ctx.Result(new { verified = results }, human);
            return results.All(r => r.Ok) ? CliRunner.Success : CliRunner.Failure;
        }, usesTorch: false);
        return cmd;
    }

    static Command Remove()
    {
        var names = new Argument<string[]>("names") { Description = "Catalogue names", Arity = ArgumentArity.OneOrMore };
        var cmd = new Command("remove", "Delete cached models (file, record and any partial download)") { names };
        CliRunner.SetAction(cmd, (ctx, _) =>
        {
            var store = ctx.Models;
            var entries = ctx.Get(names)!.Select(n => Entry(store, n)).ToList();
            var removed = entries.Where(store.Cache.Remove).Select(e => e.Name).ToList();
            ctx.Result(new { removed }, removed.Count == 0 ? "nothing to remove" : "removed " + string.Join(", ", removed));
            return CliRunner.Success;
        }, usesTorch: false);
        return cmd;
    }

    /// <summary>A catalogue entry by exact name; a shipped model's name or an unknown one gets a line saying what there is.</summary>
    static CatalogueEntry Entry(ModelStore store, string name)
    {
        if (store.Catalogue.Find(name) is { } entry) return entry;
        if (ShippedModels.All().FirstOrDefault(m => m.Name == name || m.Name.EndsWith("-" + name, StringComparison.Ordinal)) is { } shipped)
            throw new AtelierException($"{name}: ships with Atelier ({shipped.Path}); nothing to fetch");
        var close = store.Catalogue.Entries.Where(e => e.Name.Contains(name, StringComparison.OrdinalIgnoreCase)).Select(e => e.Name).Take(6).ToList();
        throw new AtelierException($"{name}: not in the model catalogue ({(close.Count > 0 ? "did you mean " + string.Join(", ", close) : "see atelier models list")})");
    }

    static string Describe(ListResult r)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"cache: {r.Cache}{(r.Mirror is { } m ? $"; mirror: {m}" : "")}{(r.Offline ? "; offline" : "")}");
        if (r.ShippedModels.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("shipped with Atelier (no download; a shipped name wins over the catalogue's):");
            foreach (var s in r.ShippedModels) sb.AppendLine($"  {s.Name}");
        }
        sb.AppendLine();
        sb.AppendLine("catalogue (fetched on first use; --json gives every address and the script it was confirmed from):");
        var rows = r.Catalogue.Select(e => new[] { e.Name, e.Kind, e.Size is long s ? Size(s) : "?", e.LicenceShort, e.TrustOnFirstUse ? "first use" : "published", e.State, e.Page }).ToList();
        string[] header = ["name", "kind", "size", "licence", "hash", "state", "page"];
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(row => row[i].Length))).ToArray();
        sb.AppendLine(string.Join("  ", header.Select((h, i) => i == header.Length - 1 ? h : h.PadRight(widths[i]))));
        foreach (var row in rows) sb.AppendLine(string.Join("  ", row.Select((c, i) => i == row.Length - 1 ? c : c.PadRight(widths[i]))));
        return sb.ToString().TrimEnd();
    }

    static string Size(long bytes) => bytes >= 1_000_000 ? (bytes / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " MB"
        : bytes >= 1000 ? (bytes / 1e3).ToString("0.0", CultureInfo.InvariantCulture) + " kB" : bytes + " B";
}
