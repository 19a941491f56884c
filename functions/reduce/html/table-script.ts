/**
 * The page's one script: it turns the at-risk rows (compact JSON in a `<script type="application/json">`)
 * into a table that can be filtered and sorted, showing a page of rows at a time so that 20,000 rows
 * stay quick. Plain ES2020 in a string, because it runs in the reader's browser as written: the page's
 * Content-Security-Policy allows exactly this text (by its hash) and nothing else.
 *
 * Cells are filled with textContent, never HTML: function and account names come from member accounts.
 */
export const TABLE_SCRIPT = `(() => {
  'use strict';
  const PAGE = 200;
  const data = JSON.parse(document.getElementById('at-risk-data').textContent);
  const rows = data.rows.map((r) => {
    const account = data.accounts[r[0]];
    const runtime = data.runtimes[r[2]];
    return {
      accountId: account[0], accountName: account[1] || '', region: data.regions[r[1]],
      functionName: r[3], runtime: runtime[0], runtimeStatus: runtime[1], deprecationDate: runtime[2] || '',
      blockCreateDate: runtime[3] || '', blockUpdateDate: runtime[4] || '', lastModified: r[4] || '',
    };
  });
  for (const row of rows) {
    row.search = [row.accountId, row.accountName, row.region, row.functionName, row.runtime].join(' ').toLowerCase();
  }
  const filter = document.getElementById('at-risk-filter');
  const status = document.getElementById('at-risk-status');
  const body = document.getElementById('at-risk-body');
  const count = document.getElementById('at-risk-count');
  const more = document.getElementById('at-risk-more');
  const headers = document.querySelectorAll('#at-risk-table th[data-key]');
  let sortKey = null;
  let sortDirection = 1;
  let matching = rows;
  let shown = 0;
  const columns = ['accountId', 'accountName', 'region', 'functionName', 'runtime', 'runtimeStatus',
    'deprecationDate', 'blockCreateDate', 'blockUpdateDate', 'lastModified'];
  function appendRows(limit) {
    const fragment = document.createDocumentFragment();
    const end = Math.min(matching.length, shown + limit);
    for (let i = shown; i < end; i += 1) {
      const row = matching[i];
      const tr = document.createElement('tr');
      tr.className = row.runtimeStatus;
      for (const column of columns) {
        const td = document.createElement('td');
        td.textContent = row[column];
        tr.appendChild(td);
      }
      fragment.appendChild(tr);
    }
    body.appendChild(fragment);
    shown = end;
    count.textContent = matching.length.toLocaleString('en-US') + ' matching, ' + shown.toLocaleString('en-US') + ' shown';
    more.hidden = shown >= matching.length;
  }
  function update() {
    const words = filter.value.toLowerCase().split(/\\s+/).filter(Boolean);
    const wanted = status.value;
    matching = rows.filter((row) => (wanted === '' || row.runtimeStatus === wanted) &&
      words.every((word) => row.search.includes(word)));
    if (sortKey) {
      const key = sortKey;
      matching.sort((a, b) => (a[key] < b[key] ? -sortDirection : a[key] > b[key] ? sortDirection : 0));
    }
    body.textContent = '';
    shown = 0;
    appendRows(PAGE);
  }
  for (const header of headers) {
    header.addEventListener('click', () => {
      const key = header.dataset.key;
      sortDirection = sortKey === key ? -sortDirection : 1;
      sortKey = key;
      for (const other of headers) other.removeAttribute('aria-sort');
      header.setAttribute('aria-sort', sortDirection === 1 ? 'ascending' : 'descending');
      update();
    });
  }
  filter.addEventListener('input', update);
  status.addEventListener('change', update);
  more.addEventListener('click', () => appendRows(PAGE));
  document.getElementById('at-risk-controls').hidden = false;
  update();
})();
`;
