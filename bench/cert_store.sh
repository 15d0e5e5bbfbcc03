# bench/cert_store.sh — sourced by the certificate benchmarks: cert_store DB N
# makes a store with N MEDAL awards of 2025 (names from a pool of common and
# rare characters, made unique; units in every region), the same for every
# tool compared.
cert_store() {
	db=$1; n=$2
	./jingsai --db "$db" --output "$(dirname "$db")/out" --quiet certificates 2025 >/dev/null 2>&1
	awk -v n="$n" 'BEGIN {
		split("王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹", sn, " ");
		split("伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀 霞 平 刚 桂 喆 堃 昇 镕 旻 婷 浩 宇 鑫 博 晨 辉", gn, " ");
		split("320602 320612 320614 320623 320681 320682 320685 KFQ SXT TZW SZ", rg, " ");
		print "BEGIN;";
		print "INSERT INTO programme VALUES (\x27issuer\x27, \x27南通市劳动竞赛委员会\x27);";
		print "INSERT INTO programme VALUES (\x27verify_url\x27, \x27https://zgh.nantong.gov.cn/zs/v?c={serial}&m={mac}\x27);";
		print "INSERT INTO award VALUES (\x27MEDAL\x27, \x27南通市五一劳动奖章\x27, \x27person\x27, \x27cert-MEDAL.xml\x27, 0, 1);";
		print "INSERT INTO file (id, path, sha256, size, kind, ingested_at, status) VALUES (1, \x27input/awards.csv\x27, \x27x\x27, 1, \x27awards\x27, \x272025-01-01T00:00:00Z\x27, \x27accepted\x27);";
		for (i = 1; i <= 11; i++) {
			printf "INSERT INTO region VALUES (\x27%s\x27, \x27区域%d\x27, \x27county\x27, %d);\n", rg[i], i, i;
			printf "INSERT INTO enterprise VALUES (\x279132060%011d\x27, \x27南通第%d精密机械制造股份有限公司\x27, \x27%s\x27, \x27民营\x27, 1, 1, NULL, NULL, 1, %d);\n", i, i, rg[i], i;
		}
		srand(7);
		for (i = 1; i <= n; i++) {
			name = sn[int(rand() * 30) + 1] gn[int(rand() * 34) + 1];
			if (rand() < 0.6) name = name gn[int(rand() * 34) + 1];
			name = name i;  # unique
			printf "INSERT INTO award_row VALUES (2025, \x27MEDAL\x27, \x27%s\x27, \x27person\x27, \x27男\x27, \x279132060%011d\x27, NULL, 1, %d);\n", name, i % 11 + 1, i + 1;
		}
		print "COMMIT;";
	}' | sqlite3 "$db"
}
