-- tests/regress/cert-innov.sql — added to tests/fixtures/cert/base.sql for the
-- regress cases, so that every award of the programme has a certificate:
-- an INNOV (南通市五一创新能手) for a person whose name is outside GB2312.
INSERT INTO award_row VALUES (2025, 'INNOV', '陈旻', 'person', '男', '91320600MA1XXXXX01', NULL, 1, 10);
