import { useState } from 'preact/hooks';
import { elems, iam, text } from '../api';
import { ErrorBox, Section, useAction, useLoad } from '../ui';

// PrincipalPolicies edits a group's or role's inline policies and its
// attached managed policies, with the same IAM actions talus admin uses.
export function PrincipalPolicies({ kind, name }: { kind: 'Group' | 'Role'; name: string }) {
  const who = { [`${kind}Name`]: name };
  const inline = useLoad(async () => {
    const names = elems(await iam(`List${kind}Policies`, who), 'member').map((m) => m.textContent || '');
    return Promise.all(
      names.map(async (p) => ({ name: p, doc: decodeURIComponent(text(await iam(`Get${kind}Policy`, { ...who, PolicyName: p }), 'PolicyDocument')) })),
    );
  }, [kind, name]);
  const attached = useLoad(async () => {
    const doc = await iam(`ListAttached${kind}Policies`, who);
    return elems(doc, 'member').map((m) => ({ name: text(m, 'PolicyName'), arn: text(m, 'PolicyArn') }));
  }, [kind, name]);
  const [pname, setPname] = useState('');
  const [pdoc, setPdoc] = useState('');
  const [arn, setArn] = useState('');
  const [error, busy, run] = useAction();
  const put = (e: Event) => {
    e.preventDefault();
    run(async () => {
      await iam(`Put${kind}Policy`, { ...who, PolicyName: pname.trim(), PolicyDocument: pdoc });
      setPname('');
      setPdoc('');
      inline.reload();
    });
  };
  const del = (p: string) =>
    run(async () => {
      await iam(`Delete${kind}Policy`, { ...who, PolicyName: p });
      inline.reload();
    });
  const attach = (e: Event) => {
    e.preventDefault();
    run(async () => {
      await iam(`Attach${kind}Policy`, { ...who, PolicyArn: arn.trim() });
      setArn('');
      attached.reload();
    });
  };
  const detach = (a: string) =>
    run(async () => {
      await iam(`Detach${kind}Policy`, { ...who, PolicyArn: a });
      attached.reload();
    });
  return (
    <>
      <ErrorBox error={error} />
      <Section title="Attached managed policies">
        <ErrorBox error={attached.error} />
        <table id="attached-policies">
          <thead><tr><th>Name</th><th>ARN</th><th /></tr></thead>
          <tbody>
            {(attached.data || []).map((p) => (
              <tr key={p.arn} data-arn={p.arn}>
                <td><a href={`#/policy/${encodeURIComponent(p.arn)}`}>{p.name}</a></td><td>{p.arn}</td>
                <td class="actions"><button class="danger" onClick={() => detach(p.arn)}>Detach</button></td>
              </tr>
            ))}
          </tbody>
        </table>
        <form class="row" id="attach-policy" onSubmit={attach}>
          <input id="attach-arn" placeholder="policy ARN" value={arn} onInput={(e) => setArn(e.currentTarget.value)} />
          <button disabled={busy || !arn}>Attach</button>
        </form>
      </Section>
      <Section title="Inline policies">
        <ErrorBox error={inline.error} />
        {(inline.data || []).map((p) => (
          <div key={p.name} class="policy" data-policy={p.name}>
            <h3>{p.name} <button class="danger" onClick={() => del(p.name)}>Delete</button></h3>
            <pre>{p.doc}</pre>
          </div>
        ))}
        <form onSubmit={put} id="put-policy">
          <input placeholder="policy name" value={pname} onInput={(e) => setPname(e.currentTarget.value)} />
          <textarea rows={8} placeholder='{"Version": "2012-10-17", "Statement": [...]}' value={pdoc} onInput={(e) => setPdoc(e.currentTarget.value)} spellcheck={false} />
          <button class="primary" disabled={busy || !pname || !pdoc}>Put policy</button>
        </form>
      </Section>
    </>
  );
}
