// Runs the SQL on stdin against the MySQL URL in argv[2] and prints the rows tab-separated, without
// headers: what k8s/smoke.sh expects of SMOKE_SQL when it runs against a platform outside the cluster.
import mysql from 'mysql2/promise';

let sql = '';
for await (const chunk of process.stdin) sql += chunk;
const connection = await mysql.createConnection(process.argv[2]);
try {
  const [rows] = await connection.query({ sql, rowsAsArray: true });
  for (const row of rows) console.log(row.join('\t'));
} finally {
  await connection.end();
}
