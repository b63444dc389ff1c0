/** A table header row: the first column left-aligned (it names the row), the rest right-aligned numbers. */
export function NumericTableHead({ columns }: { columns: string[] }) {
  return (
    <thead className="bg-stone-50 text-stone-500">
      <tr>
        {columns.map((h, i) => (
          <th key={h} scope="col" className={`whitespace-nowrap px-3 py-2 font-medium ${i === 0 ? "text-left" : ""}`}>
            {h}
          </th>
        ))}
      </tr>
    </thead>
  );
}
