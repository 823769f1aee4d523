<?php
// The php-fpm baseline for Deploy/bench/run.sh: what GET /api/ai/assistant/thread?userId=U does, in
// plain PHP. Looks up the user's current thread in pgassist's own SQLite store (the file in
// PGASSIST_BENCH_DB, passed by nginx as a FastCGI param) over a persistent PDO connection, creates
// it when there is none (as pgassist does), and answers the same JSON fields.

header('Content-Type: application/json');

function fail(int $status, string $code, string $message): void {
    http_response_code($status);
    echo json_encode(['error' => $message, 'code' => $code]);
    exit;
}

function iso8601(int $milliseconds): string {
    return gmdate('Y-m-d\TH:i:s', intdiv($milliseconds, 1000)) . sprintf('.%03dZ', $milliseconds % 1000);
}

$userId = $_GET['userId'] ?? '';
if (!is_string($userId) || $userId === '') fail(400, 'missing_field', "The query is missing the required field 'userId'.");
if (strlen($userId) > 256) fail(400, 'invalid_field', "The field 'userId' is too long.");
$projectRef = isset($_GET['projectRef']) && $_GET['projectRef'] !== '' ? (string)$_GET['projectRef'] : null;

try {
    $db = new PDO('sqlite:' . $_SERVER['PGASSIST_BENCH_DB'], null, null, [
        PDO::ATTR_PERSISTENT => true,
        PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,
    ]);
    $db->setAttribute(PDO::ATTR_TIMEOUT, 5);
    $select = $db->prepare('SELECT id, user_id, project_ref, message_count, created_at, updated_at
                              FROM threads WHERE user_id = ? AND deleted_at IS NULL');
    $select->execute([$userId]);
    $row = $select->fetch(PDO::FETCH_ASSOC);
    if ($row === false) {
        $now = (int)floor(microtime(true) * 1000);
        $insert = $db->prepare('INSERT INTO threads (id, user_id, project_ref, message_count, created_at, updated_at)
                                VALUES (?, ?, ?, 0, ?, ?) ON CONFLICT DO NOTHING');
        $insert->execute(['thread_' . bin2hex(random_bytes(12)), $userId, $projectRef, $now, $now]);
        $select->execute([$userId]);
        $row = $select->fetch(PDO::FETCH_ASSOC);
    }
    $select->closeCursor();
} catch (PDOException $error) {
    fail(503, 'store_unavailable', 'The thread store is not available right now.');
}

echo json_encode([
    'threadId' => $row['id'],
    'userId' => $row['user_id'],
    'projectRef' => $row['project_ref'],
    'createdAt' => iso8601((int)$row['created_at']),
    'updatedAt' => iso8601((int)$row['updated_at']),
    'messageCount' => (int)$row['message_count'],
], JSON_UNESCAPED_SLASHES);
